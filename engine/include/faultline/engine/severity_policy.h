// The severity policy (docs/rules.md, "Severity policy"): how loud a finding may be, decided from its
// evidence alone, in one place, for every finding before it is reported.
#pragma once

#include "faultline/engine/finding.h"

#include <vector>

namespace faultline {

// The strongest severity the finding's evidence allows:
// - Error: the text proves the fault (a static source from a rule marked `proves`), or the probe could not
//   build or run the network the text describes (FL901, FL902, FL904).
// - Warning: two independent pieces of evidence: the text and the probe (a static source together with a
//   probe or diagnosis source), or a change the probe measured to train decisively better (a validated fix,
//   which every what-if finding carries). A proving rule whose own severity is Warning keeps it.
// - Information: one piece of evidence that does not prove the fault: a classifier alone, a static rule
//   that suggests rather than proves, the probe's reading of the labels alone.
Severity severity_ceiling(const Finding& finding);

// Lowers each finding's severity to its ceiling (never raises it) and says why in the explanation.
void apply_severity_policy(std::vector<Finding>& findings);

} // namespace faultline
