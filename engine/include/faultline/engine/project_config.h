// Project configuration and suppressions, as linters do them: `[tool.faultline]` in pyproject.toml, and
// `# noqa: FL151` / `# faultline: ignore[FL151]` comments on a finding's line. Read by the CLI and the
// language server alike.
#pragma once

#include "faultline/engine/finding.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// [tool.faultline]
//   select = ["FL1", "FL301"]     codes or prefixes to report (all when absent)
//   ignore = ["FL205"]            codes or prefixes never reported
//   budget = 5                    probe time budget in seconds
// [tool.faultline.severity]
//   FL205 = "information"         severity overrides: error, warning, information (or info), hint
struct ProjectConfig {
    std::filesystem::path file; // the pyproject.toml read; empty when none was found
    std::vector<std::string> select;
    std::vector<std::string> ignore;
    std::map<std::string, Severity> severity;
    std::optional<double> budget_seconds;
    std::string error; // "pyproject.toml line 4: ..." when the file is malformed; the rest is then default
};

// Reads the [tool.faultline] tables of a pyproject.toml's text. Errors name the line.
ProjectConfig parse_project_config(std::string_view toml_text);

// The configuration for a checked file (or folder): the nearest pyproject.toml walking up from its folder
// that has a [tool.faultline] table. Default configuration when there is none.
ProjectConfig load_project_config(const std::filesystem::path& checked);

// The configuration for a document known by its URI: load_project_config of its path for a file: URI
// (percent-decoded), the default configuration for any other scheme (an unsaved buffer has no project).
ProjectConfig load_project_config_for_uri(const std::string& uri);

// Whether `code` is matched by a code or prefix of `patterns` ("FL1" matches FL151).
bool matches_any(const std::string& code, const std::vector<std::string>& patterns);

// Drops the findings `select` / `ignore` exclude and those suppressed by a comment on their first line
// (`# noqa`, `# noqa: FL151, FL152`, `# faultline: ignore[FL151,FL152]`), then applies the severity
// overrides. Runs after the severity policy: the user's word is last.
void apply_project_config(const ProjectConfig& config, std::string_view text, std::vector<Finding>& findings);

// Whether the source line holds a suppression comment covering `code`.
bool suppressed_on_line(std::string_view line, const std::string& code);

} // namespace faultline
