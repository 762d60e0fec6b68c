// Findings as LSP sees them: Diagnostics (with code, docs link, related information and data) and the
// TextEdits of a fix. The one place where a Finding becomes protocol.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/parser/source.h"
#include "faultline/server/protocol.h"

#include <string>

namespace faultline::server {

json fix_text_edits(const Fix& fix, const LineIndex& index, PositionEncoding enc);
json to_diagnostic(const Finding& finding, const std::string& uri, const LineIndex& index,
                   PositionEncoding enc);

// Whether two byte ranges touch (an empty range touches what it sits in or next to).
bool ranges_touch(uint32_t a_start, uint32_t a_end, uint32_t b_start, uint32_t b_end);

} // namespace faultline::server
