// didOpen / didChange / didSave / didClose: incremental sync (kind 2), edits applied in order.
#include "faultline/server/log.h"
#include "faultline/server/positions.h"
#include "faultline/server/session.h"
#include "faultline/server/span_shift.h"

namespace faultline::server {

void Session::on_did_open(const json& params) {
    const json& td = require_object(params, "textDocument");
    std::string uri = require_string(td, "uri");
    int64_t version = require_int(td, "version");
    std::string text = require_string(td, "text");
    if (auto old = documents_.find(uri); old != documents_.end()) {
        log_warn("didOpen for an open document; replacing it: " + uri);
        fail_waiters(*old->second, "document reopened");
    }
    cancel_probe_for(uri, error_code::ContentModified, "document reopened");
    auto doc = std::make_unique<OpenDocument>(io_, analysis_pool_, uri, version, std::move(text));
    OpenDocument& ref = *doc;
    documents_[uri] = std::move(doc);
    schedule_static(ref);
    schedule_probe(ref, options_.probe_quiet);
}

void Session::on_did_change(const json& params) {
    const json& td = require_object(params, "textDocument");
    std::string uri = require_string(td, "uri");
    auto it = documents_.find(uri);
    if (it == documents_.end()) {
        log_warn("didChange for a document that is not open: " + uri);
        return;
    }
    OpenDocument& doc = *it->second;
    const json* changes = optional_field(params, "contentChanges");
    if (!changes || !changes->is_array())
        throw RpcError(error_code::InvalidParams, "contentChanges must be an array");
    // Validate everything first so that a bad change leaves the document as it was, not half-edited.
    for (const json& change : *changes) {
        if (!change.is_object() || !change.contains("text") || !change["text"].is_string())
            throw RpcError(error_code::InvalidParams, "each content change needs a string 'text'");
        if (const json* range = optional_field(change, "range"); range && !is_lsp_range(*range))
            throw RpcError(error_code::InvalidParams,
                           "a content change's range must be {start, end} positions");
    }
    for (const json& change : *changes) {
        const std::string& text = change["text"].get_ref<const std::string&>();
        const json* range = optional_field(change, "range");
        if (!range) {
            doc.reset(text);
            doc.probe_findings.clear();
            doc.probe_complete = false;
        } else {
            auto [start, end] = from_lsp_range(doc.index(), *range, encoding_);
            TextEdit edit{start, end, text};
            shift_findings(doc.probe_findings, edit);
            doc.apply(std::move(edit));
        }
    }
    const json* version = optional_field(td, "version");
    doc.version = version && version->is_number_integer() ? version->get<int64_t>() : doc.version + 1;
    if (probe_ && probe_->uri == uri)
        cancel_probe_for(uri, error_code::ContentModified, "the document changed while the probe ran");
    schedule_static(doc);
    schedule_probe(doc, options_.probe_quiet);
}

void Session::on_did_save(const json& params) {
    OpenDocument& doc = require_document(params);
    schedule_probe(doc, std::chrono::milliseconds(0));
}

void Session::on_did_close(const json& params) {
    std::string uri = require_string(require_object(params, "textDocument"), "uri");
    auto it = documents_.find(uri);
    if (it == documents_.end()) return;
    cancel_probe_for(uri, error_code::ContentModified, "document closed");
    if (auto waiters = probe_waiters_.find(uri); waiters != probe_waiters_.end()) {
        for (const std::string& key : waiters->second)
            fail(key, error_code::ContentModified, "document closed");
        probe_waiters_.erase(waiters);
    }
    std::erase(probe_queue_, uri);
    fail_waiters(*it->second, "document closed");
    documents_.erase(it);
    // Clearing is how a closed file's squiggles go away in clients that keep them.
    if (!client_pull_diagnostics_)
        notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
}

} // namespace faultline::server
