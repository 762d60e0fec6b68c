#include "lsp_child.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace faultline::cli {
namespace {

std::runtime_error failure(const std::string& what) {
    return std::runtime_error("language server: " + what);
}

} // namespace

LspChild::LspChild(const std::string& binary, const nlohmann::json& initialization_options) {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) throw failure(std::string("pipe: ") + std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0) throw failure(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::close(in[0]);
        ::close(in[1]);
        ::close(out[0]);
        ::close(out[1]);
        ::execl(binary.c_str(), binary.c_str(), "lsp", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_server_ = in[1];
    from_server_ = out[0];
    std::signal(SIGPIPE, SIG_IGN); // a dead server is an error on write, not a killed CLI
    request("initialize", {{"processId", ::getpid()},
                           {"rootUri", nullptr},
                           {"capabilities", nlohmann::json::object()},
                           {"initializationOptions", initialization_options}});
    notify("initialized", nlohmann::json::object());
}

LspChild::~LspChild() {
    try {
        request("shutdown", nullptr);
        notify("exit", nullptr);
    } catch (const std::exception&) {
        ::kill(pid_, SIGKILL); // already gone or not answering: it must not outlive us
    }
    ::close(to_server_);
    ::close(from_server_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

LspChild::Probed LspChild::analyze(const std::string& uri, const std::string& text) {
    notify("textDocument/didOpen",
           {{"textDocument", {{"uri", uri}, {"languageId", "python"}, {"version", 1}, {"text", text}}}});
    Probed out;
    nlohmann::json probe =
        request("workspace/executeCommand", {{"command", "faultline.runProbe"}, {"arguments", {uri}}});
    out.probe_status = probe.value("status", "failed");
    nlohmann::json pulled = request("textDocument/diagnostic", {{"textDocument", {{"uri", uri}}}});
    out.diagnostics = pulled.value("items", nlohmann::json::array());
    notify("textDocument/didClose", {{"textDocument", {{"uri", uri}}}});
    return out;
}

LspChild::Probed LspChild::after_failed_probe(const std::string& uri) {
    Probed out;
    out.probe_status = "failed";
    nlohmann::json pulled = request("textDocument/diagnostic", {{"textDocument", {{"uri", uri}}}});
    out.diagnostics = pulled.value("items", nlohmann::json::array());
    notify("textDocument/didClose", {{"textDocument", {{"uri", uri}}}});
    return out;
}

nlohmann::json LspChild::request(const std::string& method, nlohmann::json params) {
    int64_t id = next_id_++;
    write({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    for (;;) {
        nlohmann::json message = read_message();
        if (!message.contains("id") || message.contains("method")) continue; // notifications, server requests
        if (message["id"] != id) continue;
        if (message.contains("error"))
            throw failure(method + ": " + message["error"].value("message", std::string("error")));
        return message.value("result", nlohmann::json());
    }
}

void LspChild::notify(const std::string& method, nlohmann::json params) {
    write({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

void LspChild::write(const nlohmann::json& message) {
    std::string frame = server::frame_message(message.dump());
    std::size_t done = 0;
    while (done < frame.size()) {
        ssize_t n = ::write(to_server_, frame.data() + done, frame.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw failure(std::string("write: ") + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

nlohmann::json LspChild::read_message() {
    char buffer[65536];
    while (inbox_.empty()) {
        ssize_t n = ::read(from_server_, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw failure("its output ended");
        reader_.feed(
            std::string_view(buffer, static_cast<std::size_t>(n)),
            [&](std::string&& body) { inbox_.push_back(std::move(body)); }, [](const std::string&) {});
    }
    nlohmann::json message = nlohmann::json::parse(inbox_.front(), nullptr, false);
    inbox_.pop_front();
    if (message.is_discarded()) throw failure("a message that is not JSON");
    return message;
}

} // namespace faultline::cli
