#include "faultline/server/lsp_findings.h"

#include "faultline/engine/rules.h"
#include "faultline/server/positions.h"

#include <algorithm>

namespace faultline::server {

bool ranges_touch(uint32_t a_start, uint32_t a_end, uint32_t b_start, uint32_t b_end) {
    return a_start <= b_end && b_start <= a_end;
}

json fix_text_edits(const Fix& fix, const LineIndex& index, PositionEncoding enc) {
    json edits = json::array();
    for (const Replacement& r : fix.edits)
        edits.push_back({{"range", to_lsp_range(index, r.range.start_byte, r.range.end_byte, enc)},
                         {"newText", r.new_text}});
    return edits;
}

json to_diagnostic(const Finding& f, const std::string& uri, const LineIndex& index, PositionEncoding enc) {
    json d = {
        {"range", to_lsp_range(index, f.range.start_byte, f.range.end_byte, enc)},
        {"severity", static_cast<int>(f.severity)},
        {"source", "faultline"},
        {"message", f.message},
    };
    if (!f.code.empty()) {
        d["code"] = f.code;
        d["codeDescription"] = {{"href", rule_docs_url(f.code)}};
    }
    if (!f.related.empty()) {
        json related = json::array();
        for (std::size_t i = 0; i < f.related.size(); ++i) {
            const Span& s = f.related[i];
            std::string message = i < f.related_messages.size() ? f.related_messages[i] : "used here";
            related.push_back(
                {{"location", {{"uri", uri}, {"range", to_lsp_range(index, s.start_byte, s.end_byte, enc)}}},
                 {"message", message}});
        }
        d["relatedInformation"] = std::move(related);
    }
    // The fixes travel with the diagnostic (as ruff does) so that a client can build the code action from the
    // diagnostic alone.
    json fixes = json::array();
    for (const Fix& fix : f.fixes)
        fixes.push_back({{"title", fix.title},
                         {"preferred", fix.preferred},
                         {"validated", fix.validated},
                         {"effect", fix.effect},
                         {"edits", fix_text_edits(fix, index, enc)}});
    json sources = json::array();
    for (EvidenceSource s : f.sources)
        sources.push_back(s == EvidenceSource::Static  ? "static"
                          : s == EvidenceSource::Probe ? "probe"
                                                       : "diagnosis");
    d["data"] = {{"fault", f.code.empty() ? "" : to_string(f.fault)},
                 {"confidence", f.confidence},
                 {"sources", std::move(sources)},
                 {"fixes", std::move(fixes)}};
    return d;
}

} // namespace faultline::server
