// initialize, initialized, shutdown, exit: the lifecycle exactly as LSP 3.17 describes it.
#include "faultline/server/log.h"
#include "faultline/server/positions.h"
#include "faultline/server/session.h"
#include "faultline/server/worker_client.h"

#ifndef FAULTLINE_SERVER_VERSION
#define FAULTLINE_SERVER_VERSION "dev"
#endif

namespace faultline::server {
namespace {

const json* path(const json& root, std::initializer_list<const char*> keys) {
    const json* node = &root;
    for (const char* key : keys) {
        node = optional_field(*node, key);
        if (!node) return nullptr;
    }
    return node;
}

bool flag(const json& root, std::initializer_list<const char*> keys) {
    const json* node = path(root, keys);
    return node && node->is_boolean() && node->get<bool>();
}

// utf-8 when offered (no conversion cost and what tree-sitter counts), else the mandatory utf-16.
PositionEncoding negotiate_encoding(const json& capabilities) {
    const json* offered = path(capabilities, {"general", "positionEncodings"});
    if (!offered || !offered->is_array()) return PositionEncoding::Utf16;
    for (const json& name : *offered)
        if (name.is_string() && name.get<std::string>() == "utf-8") return PositionEncoding::Utf8;
    return PositionEncoding::Utf16;
}

} // namespace

void Session::on_initialize(const json& params, Reply& reply) {
    if (state_ != State::Uninitialized)
        throw RpcError(error_code::InvalidRequest, "initialize may only be sent once");
    if (!params.is_object()) throw RpcError(error_code::InvalidParams, "initialize params must be an object");
    static const json kNone = json::object();
    const json* caps_ptr = optional_field(params, "capabilities");
    const json& caps = caps_ptr && caps_ptr->is_object() ? *caps_ptr : kNone;

    encoding_ = negotiate_encoding(caps);
    client_work_done_progress_ = flag(caps, {"window", "workDoneProgress"});
    client_pull_diagnostics_ = path(caps, {"textDocument", "diagnostic"}) != nullptr;
    client_diagnostic_refresh_ = flag(caps, {"workspace", "diagnostics", "refreshSupport"});
    if (const json* props = path(caps, {"textDocument", "codeAction", "resolveSupport", "properties"});
        props && props->is_array())
        for (const json& p : *props)
            if (p == "edit") client_code_action_resolve_ = true;
    if (const json* related = path(caps, {"textDocument", "publishDiagnostics", "relatedInformation"}))
        client_related_information_ = related->is_boolean() && related->get<bool>();

    if (const json* pid = optional_field(params, "processId"); pid && pid->is_number_integer())
        client_process_id_ = pid->get<int>();
    if (options_.client_process_id) client_process_id_ = options_.client_process_id;
    if (const json* init = optional_field(params, "initializationOptions")) apply_config(*init);

    state_ = State::Running;
    watch_client_process();
    if (config_.probe_enabled && !options_.worker_command.empty()) {
        ensure_worker();
        // Paying libtorch's start-up now keeps it off the first probe's latency.
        if (worker_) worker_->ensure_started();
    }

    json capabilities = {
        {"positionEncoding", encoding_name(encoding_)},
        {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
        {"hoverProvider", true},
        {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}, {"resolveProvider", true}}},
        {"executeCommandProvider", {{"commands", {"faultline.runProbe", "faultline.showTrace"}}}},
        {"diagnosticProvider",
         {{"identifier", "faultline"}, {"interFileDependencies", false}, {"workspaceDiagnostics", false}}},
    };
    reply.result({{"capabilities", capabilities},
                  {"serverInfo", {{"name", "faultline"}, {"version", FAULTLINE_SERVER_VERSION}}}});
}

void Session::on_initialized(const json&) {
    log_info("client initialized");
}

void Session::on_shutdown(const json&, Reply& reply) {
    state_ = State::ShutDown;
    for (auto& [uri, doc] : documents_) {
        doc->static_timer.cancel();
        doc->probe_timer.cancel();
    }
    if (probe_) cancel_probe_for(probe_->uri, error_code::RequestCancelled, "server shutting down");
    probe_queue_.clear();
    reply.result(nullptr);
}

void Session::on_exit_notification(const json&) {
    request_exit(state_ == State::ShutDown ? 0 : 1);
}

void Session::on_set_trace(const json&) {}

} // namespace faultline::server
