#include "faultline/server/span_shift.h"

#include <algorithm>

namespace faultline::server {

bool shift_span(Span& span, const TextEdit& edit) {
    uint32_t a = std::min(edit.start_byte, edit.old_end_byte);
    uint32_t b = std::max(edit.start_byte, edit.old_end_byte);
    if (b <= span.start_byte) {
        // Only byte offsets move: the LSP conversion reads offsets, never the stale row/column points.
        int64_t delta = static_cast<int64_t>(edit.new_text.size()) - static_cast<int64_t>(b - a);
        span.start_byte = static_cast<uint32_t>(span.start_byte + delta);
        span.end_byte = static_cast<uint32_t>(span.end_byte + delta);
        return true;
    }
    return a >= span.end_byte;
}

void shift_findings(std::vector<Finding>& findings, const TextEdit& edit) {
    std::erase_if(findings, [&](Finding& f) {
        if (!shift_span(f.range, edit)) return true;
        for (Span& s : f.related)
            shift_span(s, edit); // a moved use site is informational only
        for (Fix& fix : f.fixes)
            for (Replacement& r : fix.edits)
                if (!shift_span(r.range, edit)) return true;
        return false;
    });
}

} // namespace faultline::server
