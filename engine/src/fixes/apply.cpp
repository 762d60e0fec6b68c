#include "faultline/engine/fixes.h"

#include <algorithm>

namespace faultline {

std::string apply_replacements(std::string_view text, std::vector<Replacement> edits) {
    std::stable_sort(edits.begin(), edits.end(), [](const Replacement& a, const Replacement& b) {
        return a.range.start_byte < b.range.start_byte;
    });
    // Keep the first of overlapping edits: two fixes that touch the same bytes cannot both be applied.
    std::vector<Replacement> kept;
    uint32_t covered_to = 0;
    for (auto& e : edits) {
        if (e.range.end_byte > text.size() || e.range.start_byte > e.range.end_byte) continue;
        if (!kept.empty() && e.range.start_byte < covered_to) continue;
        // The same edit offered by two findings (one fix for both) is made once; for an insertion, that is
        // the only way to tell it from two edits at one point.
        if (!kept.empty() && kept.back().range.start_byte == e.range.start_byte &&
            kept.back().range.end_byte == e.range.end_byte && kept.back().new_text == e.new_text)
            continue;
        covered_to = e.range.end_byte;
        kept.push_back(std::move(e));
    }
    std::string out(text);
    for (auto it = kept.rbegin(); it != kept.rend(); ++it)
        out.replace(it->range.start_byte, it->range.end_byte - it->range.start_byte, it->new_text);
    return out;
}

const Fix* best_fix(const Finding& finding, bool allow_unvalidated) {
    const Fix* best = nullptr;
    for (const auto& fix : finding.fixes) {
        if (!fix.validated) continue;
        if (!best || fix.improvement > best->improvement) best = &fix;
    }
    if (best || !allow_unvalidated) return best;
    for (const auto& fix : finding.fixes)
        if (fix.preferred) return &fix;
    return finding.fixes.empty() ? nullptr : &finding.fixes.front();
}

} // namespace faultline
