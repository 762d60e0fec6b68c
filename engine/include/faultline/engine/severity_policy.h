// The severity policy (docs/rules.md, "Severity policy"): how loud a finding may be, decided from its
// evidence alone, in one place, for every finding before it is reported.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/trace.h"

#include <vector>

namespace faultline {

// Whether the probe's own instruments saw training fail (NaN or Inf, exploding or vanishing gradients, dead
// units, weights that do not move, a constant output, no convergence) at its last epoch: evidence
// independent of the text that something in the program keeps it from training.
bool probe_saw_failure(const Trace& trace);

// The strongest severity the finding's evidence allows:
// - Error: the text proves the fault (a static source from a rule marked `proves`), or the probe could not
//   build or run the network the text describes (FL901, FL902, FL904).
// - Warning: two independent pieces of evidence: the text and the probe (a static source together with a
//   probe or diagnosis source, or a probe that saw training fail), or a change the probe measured to train
//   decisively better (a validated fix on a static finding, or a what-if finding, which won under every
//   seed). A proving rule whose own severity is Warning keeps it.
// - Information: one piece of evidence that does not prove the fault: a classifier alone (with or without a
//   fix measured on the same synthetic probe), a static rule
//   that suggests rather than proves, the probe's reading of the labels alone.
Severity severity_ceiling(const Finding& finding, bool probe_failed = false);

// Lowers each finding's severity to its ceiling (never raises it) and says why in the explanation. `probe`:
// the trace of the probe run on this program, when one ran.
void apply_severity_policy(std::vector<Finding>& findings, const Trace* probe = nullptr);

} // namespace faultline
