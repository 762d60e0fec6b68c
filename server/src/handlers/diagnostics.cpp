// Static analysis after an adaptive debounce, publication (push), and textDocument/diagnostic (pull).
#include "faultline/engine/pipeline.h"
#include "faultline/server/log.h"
#include "faultline/server/lsp_findings.h"
#include "faultline/server/session.h"

namespace faultline::server {

void Session::schedule_static(OpenDocument& doc) {
    doc.static_timer.expires_after(debounce_.delay());
    doc.static_timer.async_wait([this, uri = doc.uri](const boost::system::error_code& ec) {
        if (ec) return;
        auto it = documents_.find(uri);
        if (it == documents_.end()) return;
        run_static(*it->second);
        publish(*it->second);
    });
}

void Session::run_static(OpenDocument& doc) {
    if (doc.static_version == doc.version) return;
    auto start = std::chrono::steady_clock::now();
    try {
        CheckOptions checks;
        checks.disabled = config_.disabled_checks;
        doc.static_findings = analyze_static(doc.doc.extract(), checks).findings;
    } catch (const std::exception& e) {
        log_error("static analysis failed on " + doc.uri + ": " + e.what());
        doc.static_findings.clear();
    }
    auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    debounce_.record(elapsed);
    log_debug("static analysis of " + doc.uri + " v" + std::to_string(doc.version) + ": " +
              std::to_string(doc.static_findings.size()) + " findings in " + std::to_string(elapsed.count()) +
              " ms");
    doc.static_version = doc.version;
}

json Session::diagnostics_json(OpenDocument& doc) {
    doc.current = merge_findings(doc.static_findings, doc.probe_findings);
    doc.published_version = doc.version;
    json items = json::array();
    for (const Finding& f : doc.current) {
        json d = lsp_diagnostic(f, doc.index(), encoding_, doc.uri);
        if (!client_related_information_) d.erase("relatedInformation");
        items.push_back(std::move(d));
    }
    return items;
}

void Session::publish(OpenDocument& doc) {
    json items = diagnostics_json(doc);
    if (client_pull_diagnostics_) {
        // Pull clients ask again when told that results changed.
        if (client_diagnostic_refresh_) call("workspace/diagnostic/refresh", nullptr, nullptr);
        return;
    }
    notify("textDocument/publishDiagnostics",
           {{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", std::move(items)}});
}

void Session::ensure_current(OpenDocument& doc) {
    if (doc.published_version == doc.version) return;
    // A request that arrives inside the debounce window must not read ranges of the previous text (a code
    // action built from them would edit the wrong bytes): analyze and publish now instead.
    doc.static_timer.cancel();
    run_static(doc);
    publish(doc);
}

void Session::on_document_diagnostic(const json& params, Reply& reply) {
    OpenDocument& doc = require_document(params);
    run_static(doc);
    std::string result_id = std::to_string(doc.version) + "." + std::to_string(doc.probe_version) + "." +
                            std::to_string(doc.probe_findings.size());
    const json* previous = optional_field(params, "previousResultId");
    if (previous && previous->is_string() && previous->get<std::string>() == result_id) {
        reply.result({{"kind", "unchanged"}, {"resultId", result_id}});
        return;
    }
    reply.result({{"kind", "full"}, {"resultId", result_id}, {"items", diagnostics_json(doc)}});
}

} // namespace faultline::server
