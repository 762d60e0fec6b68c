#include "routes.h"

namespace faultline::server {

const std::map<std::string, Routes::Route, std::less<>>& Routes::table() {
    using S = Session;
    static const std::map<std::string, Route, std::less<>> routes{
        // Lifecycle
        {"initialize", {&S::on_initialize, nullptr}},
        {"initialized", {nullptr, &S::on_initialized}},
        {"shutdown", {&S::on_shutdown, nullptr}},
        {"exit", {nullptr, &S::on_exit_notification}},
        {"$/setTrace", {nullptr, &S::on_set_trace}},
        {"$/cancelRequest", {nullptr, &S::on_cancel_request}},
        // Text synchronization
        {"textDocument/didOpen", {nullptr, &S::on_did_open}},
        {"textDocument/didChange", {nullptr, &S::on_did_change}},
        {"textDocument/didSave", {nullptr, &S::on_did_save}},
        {"textDocument/didClose", {nullptr, &S::on_did_close}},
        // Diagnostics (pull; push happens after each analysis)
        {"textDocument/diagnostic", {&S::on_document_diagnostic, nullptr}},
        // Features
        {"textDocument/hover", {&S::on_hover, nullptr}},
        {"textDocument/codeAction", {&S::on_code_action, nullptr}},
        {"codeAction/resolve", {&S::on_code_action_resolve, nullptr}},
        {"workspace/executeCommand", {&S::on_execute_command, nullptr}},
        // Configuration and progress
        {"workspace/didChangeConfiguration", {nullptr, &S::on_did_change_configuration}},
        {"window/workDoneProgress/cancel", {nullptr, &S::on_progress_cancel}},
    };
    return routes;
}

} // namespace faultline::server
