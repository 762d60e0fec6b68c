// Keeping probe findings in place while the user types: their byte ranges move with each edit, and a finding
// whose statement was edited is dropped (its evidence no longer describes the text).
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/parser/parse.h"

#include <vector>

namespace faultline::server {

// Moves `span` past `edit`; false when the edit overlaps the span.
bool shift_span(Span& span, const TextEdit& edit);
void shift_findings(std::vector<Finding>& findings, const TextEdit& edit);

} // namespace faultline::server
