#include "faultline/server/session.h"

#include "faultline/server/log.h"
#include "faultline/server/worker_client.h"
#include "routes.h"

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace faultline::server {

OpenDocument::OpenDocument(boost::asio::io_context& io, boost::asio::thread_pool& pool, std::string uri_,
                           int64_t version_, std::string text)
    : uri(std::move(uri_)), version(version_), pending_reset(text),
      syntax(std::make_shared<SyntaxState>(pool)), static_timer(io), probe_timer(io), text_(std::move(text)) {
}

OpenDocument::~OpenDocument() {
    syntax->closed = true;
}

const LineIndex& OpenDocument::index() {
    if (!index_) index_.emplace(text_);
    return *index_;
}

void OpenDocument::apply(TextEdit edit) {
    // The same clamping as Document::apply, so that both copies of the text stay equal.
    auto size = static_cast<uint32_t>(text_.size());
    edit.start_byte = std::min(edit.start_byte, size);
    edit.old_end_byte = std::clamp(edit.old_end_byte, edit.start_byte, size);
    text_.replace(edit.start_byte, edit.old_end_byte - edit.start_byte, edit.new_text);
    index_.reset();
    if (pending_reset)
        *pending_reset = text_; // not yet parsed at all: one full parse of the final text beats edits
    else
        pending_edits.push_back(std::move(edit));
}

void OpenDocument::reset(std::string text) {
    text_ = std::move(text);
    index_.reset();
    pending_edits.clear();
    pending_reset = text_;
}

Session::Session(boost::asio::io_context& io, Transport& transport, SessionOptions options)
    : io_(io), transport_(transport), options_(std::move(options)) {}

Session::~Session() {
    // Queued jobs see `closed`/`stopping_` and return at once; join waits only for the one running (its
    // result, posted to the io_context, is dropped through `alive_`).
    stopping_ = true;
    for (auto& [uri, doc] : documents_)
        doc->syntax->closed = true;
    analysis_pool_.join();
    alive_.reset();
    for (auto& [key, pending] : pending_)
        pending.reply.abandon();
}

const OpenDocument* Session::document(const std::string& uri) const {
    auto it = documents_.find(uri);
    return it == documents_.end() ? nullptr : it->second.get();
}

void Session::send(const json& message) {
    transport_.send(message);
}

void Session::notify(const std::string& method, json params) {
    send(make_notification(method, std::move(params)));
}

void Session::call(const std::string& method, json params, std::function<void(const json* result)> on_done) {
    int64_t id = next_outgoing_id_++;
    outgoing_[id] = std::move(on_done);
    send(make_request(id, method, std::move(params)));
}

void Session::handle_raw(std::string_view body) {
    if (log_level() >= LogLevel::Debug) log_debug("--> " + std::string(body.substr(0, 2000)));
    json message;
    try {
        message = json::parse(body);
    } catch (const json::exception& e) {
        log_warn(std::string("malformed JSON: ") + e.what());
        send(make_error(nullptr, error_code::ParseError, std::string("parse error: ") + e.what()));
        return;
    }
    handle(message);
}

void Session::handle(const json& message) {
    if (!message.is_object()) {
        send(make_error(nullptr, error_code::InvalidRequest, "a message must be a JSON object"));
        return;
    }
    auto method = message.find("method");
    auto id = message.find("id");
    if (method != message.end()) {
        if (!method->is_string()) {
            json reply_id =
                id != message.end() && (id->is_number_integer() || id->is_string()) ? *id : json();
            send(make_error(reply_id, error_code::InvalidRequest, "'method' must be a string"));
            return;
        }
        if (id == message.end()) return handle_notification(message);
        if (!id->is_number_integer() && !id->is_string()) {
            send(make_error(nullptr, error_code::InvalidRequest, "'id' must be an integer or a string"));
            return;
        }
        return handle_request(message);
    }
    if (id != message.end() && (message.contains("result") || message.contains("error")))
        return handle_response(message);
    send(make_error(nullptr, error_code::InvalidRequest, "neither a request, a notification nor a response"));
}

void Session::handle_request(const json& message) {
    const std::string& method = message["method"].get_ref<const std::string&>();
    Reply reply(message["id"], [this](json m) { send(m); });
    static const json kNoParams = json::object();
    const json& params = message.contains("params") ? message["params"] : kNoParams;

    if (state_ == State::Uninitialized && method != "initialize")
        return reply.error(error_code::ServerNotInitialized, "the server is not initialized yet");
    if (state_ == State::ShutDown)
        return reply.error(error_code::InvalidRequest,
                           "the server is shutting down; only 'exit' is accepted");
    const auto& routes = Routes::table();
    auto route = routes.find(method);
    if (route == routes.end() || !route->second.request)
        return reply.error(error_code::MethodNotFound, "method not found: " + method);
    try {
        (this->*route->second.request)(params, reply);
    } catch (const RpcError& e) {
        reply.error(e.code, e.what());
    } catch (const json::exception& e) {
        reply.error(error_code::InvalidParams, std::string("invalid params: ") + e.what());
    } catch (const std::exception& e) {
        log_error(method + " failed: " + e.what());
        reply.error(error_code::InternalError, method + " failed: " + e.what());
    }
}

void Session::handle_notification(const json& message) {
    const std::string& method = message["method"].get_ref<const std::string&>();
    static const json kNoParams = json::object();
    const json& params = message.contains("params") ? message["params"] : kNoParams;
    if (method != "exit" && state_ != State::Running) {
        log_debug("dropped notification " + method + " (server not running)");
        return;
    }
    const auto& routes = Routes::table();
    auto route = routes.find(method);
    if (route == routes.end() || !route->second.notification) {
        // Unknown notifications are ignored by the spec; "$/" ones are optional by design, so not even
        // logged.
        if (method.rfind("$/", 0) != 0) log_debug("ignored notification " + method);
        return;
    }
    try {
        (this->*route->second.notification)(params);
    } catch (const std::exception& e) {
        // A notification has no reply; the client learns nothing, the log says why.
        log_warn(method + " ignored: " + e.what());
    }
}

void Session::handle_response(const json& message) {
    const json& id = message["id"];
    if (!id.is_number_integer()) return;
    auto it = outgoing_.find(id.get<int64_t>());
    if (it == outgoing_.end()) return;
    auto callback = std::move(it->second);
    outgoing_.erase(it);
    auto result = message.find("result");
    if (message.contains("error")) log_warn("client answered with an error: " + dump_json(message["error"]));
    if (callback) callback(result != message.end() && !message.contains("error") ? &*result : nullptr);
}

OpenDocument& Session::require_document(const json& params) {
    std::string uri = require_string(require_object(params, "textDocument"), "uri");
    auto it = documents_.find(uri);
    if (it == documents_.end()) throw RpcError(error_code::InvalidParams, "unknown document: " + uri);
    return *it->second;
}

std::string Session::defer(Reply reply, std::function<void()> on_cancel) {
    std::string key = dump_json(reply.id());
    pending_.erase(key);
    pending_.emplace(key, Pending{std::move(reply), std::move(on_cancel)});
    return key;
}

void Session::complete(const std::string& key, json result) {
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    it->second.reply.result(std::move(result));
    pending_.erase(it);
}

void Session::fail(const std::string& key, int code, const std::string& message) {
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    it->second.reply.error(code, message);
    pending_.erase(it);
}

void Session::on_cancel_request(const json& params) {
    const json* id = optional_field(params, "id");
    if (!id) return;
    std::string key = dump_json(*id);
    auto it = pending_.find(key);
    if (it == pending_.end()) return; // already answered: the spec says nothing more is sent
    auto on_cancel = std::move(it->second.on_cancel);
    fail(key, error_code::RequestCancelled, "request cancelled");
    if (on_cancel) on_cancel();
}

void Session::request_exit(int code) {
    if (exit_code_) return;
    exit_code_ = code;
    stopping_ = true; // queued analyses return at once; the session's destructor joins the pool
    if (client_watch_timer_) client_watch_timer_->cancel();
    worker_.reset();
    if (exit_callback_) exit_callback_(code);
}

void Session::end_of_input() {
    log_info("end of input");
    request_exit(state_ == State::ShutDown ? 0 : 1);
}

void Session::watch_client_process() {
    if (!client_process_id_ || *client_process_id_ <= 0) return;
    if (!client_watch_timer_) client_watch_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
    client_watch_timer_->expires_after(std::chrono::seconds(1));
    client_watch_timer_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        // kill(pid, 0) probes existence; EPERM means it exists but belongs to someone else.
        if (::kill(*client_process_id_, 0) != 0 && errno == ESRCH) {
            log_warn("client process " + std::to_string(*client_process_id_) + " is gone; exiting");
            request_exit(1);
            return;
        }
        watch_client_process();
    });
}

} // namespace faultline::server
