// textDocument/codeAction (quick fixes from the findings' fixes) and codeAction/resolve.
#include "faultline/server/lsp_findings.h"
#include "faultline/server/positions.h"
#include "faultline/server/session.h"

namespace faultline::server {
namespace {

std::string action_title(const Fix& fix) {
    if (fix.validated && !fix.effect.empty()) return fix.title + " (measured: " + fix.effect + ")";
    return fix.title;
}

// The fix to mark isPreferred: the one the engine prefers, else the validated fix with the largest measured
// improvement; none when nothing was measured and nothing was preferred (the editor then offers, not
// applies).
const Fix* preferred_fix(const Finding& f) {
    const Fix* best = nullptr;
    for (const Fix& fix : f.fixes)
        if (fix.preferred) return &fix;
    for (const Fix& fix : f.fixes)
        if (fix.validated && (!best || fix.improvement > best->improvement)) best = &fix;
    return best;
}

bool wants_quickfix(const json& params) {
    const json* context = optional_field(params, "context");
    const json* only = context ? optional_field(*context, "only") : nullptr;
    if (!only || !only->is_array()) return true;
    for (const json& kind : *only)
        if (kind == "quickfix" || kind == "") return true;
    return false;
}

} // namespace

void Session::on_code_action(const json& params, Reply& reply) {
    OpenDocument& doc = require_document(params);
    if (when_analyzed(doc, reply, [this, params](Reply& r) { on_code_action(params, r); })) return;
    const json* range = optional_field(params, "range");
    if (!range) throw RpcError(error_code::InvalidParams, "'range' is required");
    auto [start, end] = from_lsp_range(doc.index(), *range, encoding_);
    json actions = json::array();
    if (!wants_quickfix(params)) return reply.result(actions);
    for (const Finding& f : doc.current) {
        if (!ranges_touch(start, end, f.range.start_byte, f.range.end_byte)) continue;
        const Fix* preferred = preferred_fix(f);
        for (const Fix& fix : f.fixes) {
            if (fix.edits.empty()) continue;
            json action = {
                {"title", action_title(fix)},
                {"kind", "quickfix"},
                {"diagnostics", json::array({lsp_diagnostic(f, doc.index(), encoding_, doc.uri)})}};
            if (&fix == preferred) action["isPreferred"] = true;
            if (client_code_action_resolve_) {
                action["data"] = {{"uri", doc.uri},
                                  {"version", doc.version},
                                  {"code", f.code},
                                  {"start", f.range.start_byte},
                                  {"fix", fix.title}};
            } else {
                action["edit"] = {{"changes", {{doc.uri, lsp_text_edits(fix, doc.index(), encoding_)}}}};
            }
            actions.push_back(std::move(action));
        }
    }
    reply.result(std::move(actions));
}

void Session::on_code_action_resolve(const json& params, Reply& reply) {
    const json* data = optional_field(params, "data");
    if (!data || !data->is_object()) throw RpcError(error_code::InvalidParams, "code action without data");
    std::string uri = require_string(*data, "uri");
    int64_t version = require_int(*data, "version");
    std::string code = require_string(*data, "code");
    int64_t start = require_int(*data, "start");
    std::string title = require_string(*data, "fix");
    auto it = documents_.find(uri);
    if (it == documents_.end()) throw RpcError(error_code::InvalidParams, "unknown document: " + uri);
    OpenDocument& doc = *it->second;
    if (doc.version != version)
        throw RpcError(error_code::ContentModified, "the document changed since the code action was offered");
    for (const Finding& f : doc.current) {
        if (f.code != code || f.range.start_byte != start) continue;
        for (const Fix& fix : f.fixes) {
            if (fix.title != title) continue;
            json action = params;
            action["edit"] = {{"changes", {{doc.uri, lsp_text_edits(fix, doc.index(), encoding_)}}}};
            return reply.result(std::move(action));
        }
    }
    throw RpcError(error_code::ContentModified, "the finding behind this code action is gone");
}

} // namespace faultline::server
