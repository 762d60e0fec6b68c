// What-if diagnosis: a fault type nothing else named is reported when changing its setting makes the probe
// train clearly better, under every seed tried.
//
// The classifiers recognise faults by the shape of one probe's trace; a mild fault (SGD's default rate on a
// slow task, RMSprop at 1e-3 where the weights must travel far) leaves a trace that looks like a healthy slow
// start. Probing the program again with one setting changed asks the question directly: the candidate fixes
// of each fault type (the same minimal edits the quick fixes offer) are probed with the baseline's seed, and
// a candidate that beats the original by the validation margins (fixes.h: clearly_better) is re-probed, with
// the original, under further seeds. Only a change that wins under all of them becomes a finding, with that
// change as its validated fix.
//
// Honest limits, enforced here rather than left to the reader of a finding:
// - Epochs: the probe may window a large dataset's epoch into a few steps, so "more epochs help the probe"
//   says nothing about the script unless the what-if probe of the original ran every one of the script's
//   weight updates (Trace::user_updates); the epoch type counts only then.
// - The probe trains on synthetic data of the script's shape and range, never the script's files: a finding
//   says what the probe measured, and the message says so.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/program.h"

#include <atomic>
#include <string_view>
#include <vector>

namespace faultline {

struct WhatIfOptions {
    // Seeds each winning change must win under, the baseline's own seed included.
    int seeds = 3;
    // Candidates tried per fault type (the candidate builder's order: the usual working values first).
    size_t candidates_per_fault = 2;
    // Wall-time budget for all what-if probes, in single-probe budgets (ProbeOptions::budget_seconds).
    double budget_probes = 3.0;
};

// The what-if codes: FL301 opt, FL302 lr, FL303 act, FL304 loss, FL305 epoch, FL306 batch_size,
// FL307 data_preprocessing, FL308 weight_init, FL309 hidden_activation (the same order as the classifiers'
// FL201-FL209).
const char* whatif_code(Fault f);

// The what-if findings, and the fault types whose candidates were probed without a decisive win under every
// seed (tested, not confirmed).
struct WhatIfResult {
    std::vector<Finding> findings;
    std::vector<Fault> unconfirmed;
};

// Tries the fault types that `existing` has no alarm (Error or Warning) for from the static checks or the
// probe's own record; a type alarmed by the classifiers alone is a hypothesis and is tried too. `baseline` is
// the probe of `program` (parsed from `text`) with `options`; nothing is returned unless it is Ok.
// Cancellable between probes.
WhatIfResult run_whatif(std::string_view text, const TrainingProgram& program, const Trace& baseline,
                        const std::vector<Finding>& existing, const ProbeOptions& options,
                        const WhatIfOptions& whatif = {}, const std::atomic<bool>* cancel = nullptr);

// run_whatif's findings only.
std::vector<Finding> diagnose_by_whatif(std::string_view text, const TrainingProgram& program,
                                        const Trace& baseline, const std::vector<Finding>& existing,
                                        const ProbeOptions& options, const WhatIfOptions& whatif = {},
                                        const std::atomic<bool>* cancel = nullptr);

// The classifiers' alarms (findings whose only evidence is the classifier) of a type the what-if tested and
// did not confirm become Information: a trace pattern that no usual change improves is a hint, not an alarm.
void settle_classifier_alarms(std::vector<Finding>& findings, const std::vector<Fault>& unconfirmed);

} // namespace faultline
