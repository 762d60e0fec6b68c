#include "faultline/engine/project_config.h"

#include "toml_subset.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace faultline {
namespace {

constexpr const char* kTable = "tool.faultline";
constexpr const char* kSeverityTable = "tool.faultline.severity";

std::optional<Severity> severity_from(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "error") return Severity::Error;
    if (s == "warning") return Severity::Warning;
    if (s == "information" || s == "info") return Severity::Information;
    if (s == "hint") return Severity::Hint;
    return std::nullopt;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

// "FL", "FL1", "FL151": a code or a prefix of one.
bool code_pattern(const std::string& s) {
    if (s.size() < 2 || s.size() > 5 || s.compare(0, 2, "FL") != 0) return false;
    return std::all_of(s.begin() + 2, s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string at(const toml::Entry& e) {
    return "line " + std::to_string(e.line) + ": ";
}

bool read_codes(const toml::Entry& e, const std::string& key, std::vector<std::string>& out,
                std::string& error) {
    const auto* list = std::get_if<toml::Strings>(&e.value);
    if (!list) {
        error = at(e) + "'" + key + "' must be an array of rule codes, e.g. [\"FL151\", \"FL2\"]";
        return false;
    }
    out.clear();
    for (const auto& written : *list) {
        const std::string code = upper(written);
        if (!code_pattern(code)) {
            error = at(e) + "'" + written + "' in '" + key + "' is not a rule code or prefix (FL151, FL1)";
            return false;
        }
        out.push_back(code);
    }
    return true;
}

// Reads the tables into `c`; false with c.error set on the first problem.
bool read_config(const toml::Tables& tables, ProjectConfig& c) {
    if (auto it = tables.find(kTable); it != tables.end()) {
        for (const auto& [key, entry] : it->second) {
            if (key == "select") {
                if (!read_codes(entry, key, c.select, c.error)) return false;
            } else if (key == "ignore") {
                if (!read_codes(entry, key, c.ignore, c.error)) return false;
            } else if (key == "budget") {
                const double* seconds = std::get_if<double>(&entry.value);
                if (!seconds || *seconds <= 0) {
                    c.error = at(entry) + "'budget' must be a positive number of seconds";
                    return false;
                }
                c.budget_seconds = *seconds;
            } else {
                c.error = at(entry) + "unknown key '" + key +
                          "' in [tool.faultline] (known: select, ignore, " +
                          "budget, and the [tool.faultline.severity] table)";
                return false;
            }
        }
    }
    for (const auto& [table, entries] : tables) {
        if (table == kTable) continue;
        if (table != kSeverityTable) {
            c.error = "unknown table [" + table + "] (known: [tool.faultline], [tool.faultline.severity])";
            return false;
        }
        for (const auto& [code, entry] : entries) {
            const auto* name = std::get_if<std::string>(&entry.value);
            auto severity = name ? severity_from(*name) : std::nullopt;
            if (!code_pattern(upper(code)) || !severity) {
                c.error = at(entry) + "severity overrides take a rule code and one of \"error\", " +
                          "\"warning\", \"information\", \"hint\" (FL205 = \"information\")";
                return false;
            }
            c.severity[upper(code)] = *severity;
        }
    }
    return true;
}

bool has_faultline_table(const toml::Tables& tables) {
    return !tables.empty();
}

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// The codes listed after a suppression marker: "FL151, FL152" or "FL151,FL152]".
std::vector<std::string> listed_codes(std::string_view s) {
    std::vector<std::string> out;
    std::string current;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            current += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            continue;
        }
        if (!current.empty()) out.push_back(current);
        current.clear();
        if (c != ',' && c != ' ' && c != '\t') break;
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

} // namespace

ProjectConfig parse_project_config(std::string_view toml_text) {
    ProjectConfig c;
    toml::Tables tables;
    std::string error;
    if (!toml::parse(toml_text, kTable, tables, error)) {
        c.error = error;
        return c;
    }
    if (!read_config(tables, c)) {
        // A half-read configuration would apply some settings and not others: use none.
        ProjectConfig fresh;
        fresh.error = std::move(c.error);
        return fresh;
    }
    return c;
}

ProjectConfig load_project_config(const std::filesystem::path& checked) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::absolute(checked, ec);
    if (ec) return {};
    if (!std::filesystem::is_directory(dir, ec)) dir = dir.parent_path();
    for (; !dir.empty(); dir = dir.parent_path()) {
        const auto candidate = dir / "pyproject.toml";
        if (std::filesystem::is_regular_file(candidate, ec)) {
            const std::string text = read_text(candidate);
            toml::Tables tables;
            std::string error;
            // A pyproject.toml without our table belongs to another project layer: keep walking up (ruff
            // likewise uses the nearest file that configures it).
            if (toml::parse(text, kTable, tables, error) && !has_faultline_table(tables)) {
                if (dir == dir.parent_path()) break;
                continue;
            }
            ProjectConfig c = parse_project_config(text);
            c.file = candidate;
            if (!c.error.empty()) c.error = candidate.string() + " " + c.error;
            return c;
        }
        if (dir == dir.parent_path()) break;
    }
    return {};
}

bool matches_any(const std::string& code, const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return code.rfind(p, 0) == 0; });
}

bool suppressed_on_line(std::string_view line, const std::string& code) {
    const auto hash = line.find('#');
    if (hash == std::string_view::npos) return false;
    const std::string comment = upper(std::string(line.substr(hash)));
    // `# faultline: ignore[FL151,FL152]`
    for (size_t k = comment.find("FAULTLINE:"); k != std::string::npos;
         k = comment.find("FAULTLINE:", k + 1)) {
        size_t open = comment.find_first_not_of(" \t", k + 10);
        if (open == std::string::npos || comment.compare(open, 7, "IGNORE[") != 0) continue;
        if (matches_any(code, listed_codes(std::string_view(comment).substr(open + 7)))) return true;
    }
    // `# noqa` (everything) or `# noqa: FL151, FL152`
    for (size_t k = comment.find("NOQA"); k != std::string::npos; k = comment.find("NOQA", k + 1)) {
        const std::string before = comment.substr(0, k);
        if (before.find_last_not_of(" \t") != before.rfind('#')) continue; // "noqa" must follow a '#'
        const size_t after = k + 4;
        if (after >= comment.size() || comment[after] != ':') return true;
        if (matches_any(code, listed_codes(std::string_view(comment).substr(after + 1)))) return true;
    }
    return false;
}

void apply_project_config(const ProjectConfig& config, std::string_view text,
                          std::vector<Finding>& findings) {
    std::vector<std::string_view> lines;
    for (size_t start = 0; start <= text.size();) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    auto dropped = [&](const Finding& f) {
        if (!config.select.empty() && !matches_any(f.code, config.select)) return true;
        if (matches_any(f.code, config.ignore)) return true;
        const uint32_t row = f.range.start.row;
        return row < lines.size() && suppressed_on_line(lines[row], f.code);
    };
    findings.erase(std::remove_if(findings.begin(), findings.end(), dropped), findings.end());
    for (Finding& f : findings) {
        // The most specific override wins: FL205 over FL2.
        size_t best = 0;
        for (const auto& [pattern, severity] : config.severity)
            if (f.code.rfind(pattern, 0) == 0 && pattern.size() > best) {
                best = pattern.size();
                f.severity = severity;
            }
    }
}

ProjectConfig load_project_config_for_uri(const std::string& uri) {
    constexpr std::string_view kScheme = "file://";
    if (uri.rfind(kScheme, 0) != 0) return {};
    std::string path;
    for (size_t k = kScheme.size(); k < uri.size(); ++k) {
        auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
        if (uri[k] == '%' && k + 2 < uri.size() && hex(uri[k + 1]) && hex(uri[k + 2])) {
            path += static_cast<char>(std::stoi(uri.substr(k + 1, 2), nullptr, 16));
            k += 2;
        } else {
            path += uri[k];
        }
    }
    return load_project_config(path);
}

} // namespace faultline
