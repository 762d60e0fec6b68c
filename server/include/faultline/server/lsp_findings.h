// Findings as LSP sees them: Diagnostics (with code, docs link, related information and data) and the
// TextEdits of a fix. The one place where a Finding becomes protocol.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/report.h"
#include "faultline/parser/source.h"
#include "faultline/server/protocol.h"

#include <string>

namespace faultline::server {

// Diagnostics and TextEdits come from engine/report.h (lsp_diagnostic, lsp_text_edits), shared with
// `faultline check --format json` so that both report the same thing.

// Whether two byte ranges touch (an empty range touches what it sits in or next to).
bool ranges_touch(uint32_t a_start, uint32_t a_end, uint32_t b_start, uint32_t b_end);

} // namespace faultline::server
