// The hover card of a finding: markdown with the fault, confidence, evidence, the probe's curves and the fix.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/trace.h"

#include <string>
#include <vector>

namespace faultline::server {

// One block character (▁..█) per value, scaled between the series' min and max; NaN/Inf show as '×'.
std::string sparkline(const std::vector<double>& values);

// `trace` may be null (no probe has run yet).
std::string hover_markdown(const Finding& finding, const Trace* trace);

} // namespace faultline::server
