// textDocument/hover over a flagged statement.
#include "faultline/server/hover_text.h"
#include "faultline/server/lsp_findings.h"
#include "faultline/server/positions.h"
#include "faultline/server/session.h"

namespace faultline::server {

void Session::on_hover(const json& params, Reply& reply) {
    OpenDocument& doc = require_document(params);
    if (when_analyzed(doc, reply, [this, params](Reply& r) { on_hover(params, r); })) return;
    const json* position = optional_field(params, "position");
    if (!position) throw RpcError(error_code::InvalidParams, "'position' is required");
    uint32_t offset = from_lsp_position(doc.index(), *position, encoding_);
    const Finding* best = nullptr;
    for (const Finding& f : doc.current) {
        if (offset < f.range.start_byte || offset > f.range.end_byte) continue;
        // The most severe, then the most certain, then the innermost finding wins the card.
        auto rank = [](const Finding& x) {
            return std::make_tuple(-static_cast<int>(x.severity), x.confidence,
                                   -static_cast<int64_t>(x.range.end_byte - x.range.start_byte));
        };
        if (!best || rank(f) > rank(*best)) best = &f;
    }
    if (!best) return reply.result(nullptr);
    const Trace* trace = doc.trace ? &*doc.trace : nullptr;
    reply.result(
        {{"contents", {{"kind", "markdown"}, {"value", hover_markdown(*best, trace)}}},
         {"range", to_lsp_range(doc.index(), best->range.start_byte, best->range.end_byte, encoding_)}});
}

} // namespace faultline::server
