#include "faultline/engine/pipeline.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace faultline {

// One finding per fault type and statement: a static check and the diagnosis often name the same fault at the
// same place, and an editor should show it once, with the stronger evidence and both sources.
std::vector<Finding> merge_findings(std::vector<Finding> a, std::vector<Finding> b) {
    std::vector<Finding> out;
    std::map<std::tuple<int, uint32_t>, size_t> seen;
    for (auto* list : {&a, &b}) {
        for (auto& f : *list) {
            auto key = std::make_tuple(static_cast<int>(f.fault), f.range.start_byte);
            auto it = seen.find(key);
            if (it == seen.end()) {
                seen[key] = out.size();
                out.push_back(std::move(f));
                continue;
            }
            Finding& kept = out[it->second];
            Finding other = std::move(f);
            bool other_stronger = static_cast<int>(other.severity) < static_cast<int>(kept.severity) ||
                                  (other.severity == kept.severity && other.confidence > kept.confidence);
            if (other_stronger) std::swap(kept, other);
            for (auto s : other.sources)
                if (std::find(kept.sources.begin(), kept.sources.end(), s) == kept.sources.end())
                    kept.sources.push_back(s);
            for (auto& fix : other.fixes) {
                bool dup = std::any_of(kept.fixes.begin(), kept.fixes.end(),
                                       [&](const Fix& k) { return k.title == fix.title; });
                if (!dup) kept.fixes.push_back(std::move(fix));
            }
            if (!other.explanation.empty() && kept.explanation.find(other.explanation) == std::string::npos)
                kept.explanation += "\n\n" + other.explanation;
            kept.confidence = std::max(kept.confidence, other.confidence);
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Finding& x, const Finding& y) {
        return std::tie(x.range.start_byte, x.code) < std::tie(y.range.start_byte, y.code);
    });
    return out;
}

} // namespace faultline
