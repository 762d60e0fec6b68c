// Findings on the wire: LSP Diagnostics (shared by `faultline check --format json` and the language server),
// the internal JSON form used between the server and its probe worker, and the text and SARIF reports.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/trace.h"
#include "faultline/parser/source.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace faultline {

// An LSP Range for a byte span of the text the index was built from.
nlohmann::json lsp_range(const Span& span, const LineIndex& index, PositionEncoding enc);

// The LSP TextEdits of a fix.
nlohmann::json lsp_text_edits(const Fix& fix, const LineIndex& index, PositionEncoding enc);

// An LSP Diagnostic: range, severity, source "faultline", code, codeDescription.href, message,
// relatedInformation (locations in `uri`, used as given), and data {fault, confidence, sources, explanation,
// fixes: [{title, validated, effect, preferred, edits: [TextEdit]}]}. The fixes travel with the diagnostic (as
// ruff does) so a client can build the code action from the diagnostic alone.
nlohmann::json lsp_diagnostic(const Finding& finding, const LineIndex& index, PositionEncoding enc,
                              const std::string& uri);

// Byte-offset form of a finding, lossless, for passing findings between processes.
void to_json(nlohmann::json& j, const Span& s);
void from_json(const nlohmann::json& j, Span& s);
void to_json(nlohmann::json& j, const Finding& f);
void from_json(const nlohmann::json& j, Finding& f);

struct FileReport {
    std::string path;
    std::string text;
    std::vector<Finding> findings;
    Trace trace;
    std::string error; // could not read the file
};

// `faultline check` outputs.
std::string format_text(const std::vector<FileReport>& files);
nlohmann::json format_json(const std::vector<FileReport>& files);  // the documented contract (version 1)
nlohmann::json format_sarif(const std::vector<FileReport>& files); // SARIF 2.1.0

} // namespace faultline
