// initializationOptions and workspace/didChangeConfiguration.
#include "faultline/server/log.h"
#include "faultline/server/session.h"
#include "faultline/server/worker_client.h"

namespace faultline::server {

void Session::apply_config(const json& settings) {
    std::vector<std::string> warnings;
    Config before = config_;
    apply_settings(config_, settings, &warnings);
    for (const std::string& w : warnings)
        log_warn("configuration: " + w);
    set_log_level(config_.log_level);

    if (before.disabled_checks != config_.disabled_checks)
        for (auto& [uri, doc] : documents_) {
            doc->static_version = -1; // re-run with the new set of checks
            doc->probe_complete =
                false; // the worker's analysis ran with the old set: keep its probe part only
            if (state_ == State::Running) schedule_static(*doc);
        }
    if (before.probe_enabled && !config_.probe_enabled) {
        if (probe_)
            cancel_probe_for(probe_->uri, error_code::RequestCancelled, "probe disabled by configuration");
        probe_queue_.clear();
        for (auto& [uri, doc] : documents_) {
            doc->probe_timer.cancel();
            if (doc->probe_findings.empty()) continue;
            doc->probe_findings.clear();
            doc->probe_complete = false;
            if (state_ == State::Running) publish(*doc);
        }
        worker_.reset(); // frees the worker's memory (libtorch alone is ~165 MB)
    }
}

void Session::on_did_change_configuration(const json& params) {
    const json* settings = optional_field(params, "settings");
    if (!settings) return; // a pull-model client announces changes without content
    apply_config(*settings);
}

} // namespace faultline::server
