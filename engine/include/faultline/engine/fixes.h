// Quick fixes: candidates per fault type, applied to the TrainingProgram and probed before they are offered,
// and applied to the text as minimal edits.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/program.h"

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// Applies the given replacements (byte spans of `text`) from the last to the first; overlapping edits after the
// first are dropped. Returns the new text.
std::string apply_replacements(std::string_view text, std::vector<Replacement> edits);

// The fix `faultline check --fix` applies for a finding: the best validated one, or, when `allow_unvalidated`,
// the preferred unvalidated one. nullptr when none qualifies.
const Fix* best_fix(const Finding& finding, bool allow_unvalidated);

// Probes each candidate fix of each finding (same seed and budget as `baseline`), marks those that beat the
// original by a clear margin as validated with their measured effect, ranks them and marks the best preferred.
// `text` is the script the findings' spans refer to: a candidate is its edit applied and re-parsed, so what is
// probed is exactly what the user would get.
void validate_fixes(std::string_view text, const TrainingProgram& program, const Trace& baseline,
                    std::vector<Finding>& findings, const ProbeOptions& options,
                    const std::atomic<bool>* cancel = nullptr);

} // namespace faultline
