// Quick fixes: candidates per fault type, applied to the TrainingProgram and probed before they are offered,
// and applied to the text as minimal edits.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/program.h"

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// Applies the given replacements (byte spans of `text`) from the last to the first; overlapping edits after
// the first are dropped. Returns the new text.
std::string apply_replacements(std::string_view text, std::vector<Replacement> edits);

// The fix `faultline check --fix` applies for a finding: the best validated one, or, when
// `allow_unvalidated`, the preferred unvalidated one. nullptr when none qualifies.
const Fix* best_fix(const Finding& finding, bool allow_unvalidated);

// Candidate fixes for a fault type, read off the program's own shape (its output layer, labels, optimizer and
// the values the script writes), each a minimal edit of `text` through the values' origins that re-parses
// cleanly and changes the value it targets. Not yet validated. `baseline` (optional) is the probe of the
// unedited program: the epoch candidates read where its learning curve flattens.
std::vector<Fix> candidate_fixes(Fault fault, const TrainingProgram& program, std::string_view text,
                                 const Trace* baseline = nullptr);

// What validation compares between two probes of the same budget and seed: for classification the final
// accuracy (validation when the probe has it, else training), for regression the final loss. Losses are
// compared only between probes of the same loss function (`loss_function`, empty when unknown).
struct ProbeScore {
    bool ok = false; // the probe ran to the end
    bool classification = true;
    double accuracy = 0.0; // NaN when the probe has no accuracy
    double loss = 0.0;     // NaN/Inf when training diverged
    bool diverged = false;
    std::string loss_function;
};
ProbeScore probe_score(const Trace& trace, bool classification, std::string loss_function = {});
// Whether a program is scored as classification (its task, or an accuracy series when the task is unknown).
bool scored_as_classification(const TrainingProgram& program, const Trace& trace);

// A fix is validated when its probe beats the original's clearly:
// - classification: final accuracy +0.05 or more; or, under the same loss function, accuracy no worse (within
//   0.005) and the final loss at most half of the original's and at least 0.1 lower (a fix that turns a
//   barely-learning 0.94 into a confident 0.99 shows in the loss before the accuracy);
// - regression: a final loss 25% lower or more under the same loss function (a fix that stops a diverging
//   regression counts 1.0).
// improvement() is the ranking key: accuracy points plus a quarter of the relative loss reduction (same loss
// function only) for classification, the relative loss reduction for regression; <= 0 when not better.
inline constexpr double kAccuracyMargin = 0.05;
inline constexpr double kLossMargin = 0.25;
inline constexpr double kClassificationLossRatio = 0.5;
inline constexpr double kClassificationLossDrop = 0.1;
double improvement(const ProbeScore& before, const ProbeScore& after);
bool clearly_better(const ProbeScore& before, const ProbeScore& after);
// "probe accuracy 0.31 -> 0.97, loss 2.30 -> 0.08" (classification) or "probe loss 2.30 -> 0.08".
std::string describe_effect(const ProbeScore& before, const ProbeScore& after);

// Adds the candidates of each finding's fault type to its fixes, probes every fix (same seed as `baseline`,
// whose options `options` must be), marks those that beat the original by a clear margin as validated with
// their measured effect, composes the findings' fixes (a beam search, for faults that only show their fix
// together), ranks them and marks the best preferred. `text` is the script the findings' spans refer to: a
// candidate is its edit applied and re-parsed, so what is probed is exactly what the user would get.
//
// Budget: all of it within three single-probe budgets (options.budget_seconds) of wall time; when many
// candidates do not fit, each probe (and a re-probe of the original, for a fair comparison) gets a shorter
// budget. `progress`, when given, is called (from one thread at a time) after each probe with the probes done
// and those planned so far. docs/fixes.md has the details.
// validate_fixes' wall-time budget, in single-probe budgets.
constexpr double kValidationBudgetProbes = 3.0;

struct FixProgress {
    size_t probed = 0;
    size_t planned = 0;
};
void validate_fixes(std::string_view text, const TrainingProgram& program, const Trace& baseline,
                    std::vector<Finding>& findings, const ProbeOptions& options,
                    const std::atomic<bool>* cancel = nullptr,
                    const std::function<void(const FixProgress&)>& progress = {});

} // namespace faultline
