#include "check_summary.h"
#include "commands.h"
#include "file_walk.h"
#include "parallel_for.h"
#include "unified_diff.h"

#include "faultline/engine/fixes.h"
#include "faultline/engine/pipeline.h"
#include "faultline/engine/project_config.h"
#include "faultline/engine/report.h"

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

namespace faultline::cli {

int usage_error(const std::string& message) {
    std::fprintf(stderr, "faultline: %s\n", message.c_str());
    return 2;
}

bool read_file(const std::string& path, std::string& text, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read " + path;
        return false;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    text = buf.str();
    return true;
}

namespace {

struct CheckOptions {
    std::string format = "text";
    AnalysisOptions analysis;
    bool fix = false;
    bool diff = false;
    unsigned jobs = default_jobs();
    std::vector<std::string> excludes;
    std::vector<std::string> paths; // files and folders, as given
    // Rule selection as ruff has it; given on the command line, they replace pyproject.toml's lists.
    std::optional<std::vector<std::string>> select;
    std::optional<std::vector<std::string>> ignore;
    bool exit_zero = false;
    bool budget_given = false;
};

// "FL151,FL2" -> {"FL151", "FL2"}; upper-cased, empty items dropped.
std::vector<std::string> code_list(const std::string& value) {
    std::vector<std::string> out;
    std::string item;
    for (char c : value + ",") {
        if (c == ',') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else if (c != ' ') {
            item += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

// Parses `--name value` and `--name=value`.
bool take_value(const Args& args, size_t& i, const std::string& name, std::string& value) {
    const std::string& a = args[i];
    if (a == name && i + 1 < args.size()) {
        value = args[++i];
        return true;
    }
    if (a.rfind(name + "=", 0) == 0) {
        value = a.substr(name.size() + 1);
        return true;
    }
    return false;
}

bool parse_number(const std::string& s, double& out) {
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end && *end == '\0' && !s.empty();
}

} // namespace

// Options shared by check, probe and eval.
bool parse_probe_option(const Args& args, size_t& i, AnalysisOptions& options, std::string& error) {
    std::string value;
    double number = 0;
    if (args[i] == "--no-probe") {
        options.probe = false;
        return true;
    }
    if (args[i] == "--no-whatif") {
        options.whatif = false;
        return true;
    }
    if (take_value(args, i, "--budget", value)) {
        if (!parse_number(value, number) || number <= 0) error = "invalid --budget: " + value;
        options.probe_options.budget_seconds = number;
        return true;
    }
    if (take_value(args, i, "--seed", value)) {
        if (!parse_number(value, number) || number < 0) error = "invalid --seed: " + value;
        options.probe_options.seed = static_cast<uint64_t>(number);
        return true;
    }
    return false;
}

namespace {

// More threads than this is a typing error, not a machine.
constexpr double kMaxJobs = 1024;

// Parses check's arguments; an empty string means they are valid, else it is the usage error.
std::string parse_check_args(const Args& args, CheckOptions& opt) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string value, error;
        double number = 0;
        // The command line's budget wins over pyproject.toml's.
        if (args[i] == "--budget" || args[i].rfind("--budget=", 0) == 0) opt.budget_given = true;
        if (take_value(args, i, "--format", value)) {
            if (value != "text" && value != "json" && value != "sarif") return "unknown format: " + value;
            opt.format = value;
        } else if (take_value(args, i, "--jobs", value)) {
            if (!parse_number(value, number) || number < 1 || number > kMaxJobs ||
                number != std::floor(number))
                return "invalid --jobs: " + value;
            opt.jobs = static_cast<unsigned>(number);
        } else if (take_value(args, i, "--exclude", value)) {
            opt.excludes.push_back(value);
        } else if (take_value(args, i, "--select", value)) {
            opt.select = code_list(value);
        } else if (take_value(args, i, "--ignore", value)) {
            opt.ignore = code_list(value);
        } else if (args[i] == "--exit-zero") {
            opt.exit_zero = true;
        } else if (parse_probe_option(args, i, opt.analysis, error)) {
            if (!error.empty()) return error;
        } else if (args[i] == "--fix") {
            opt.fix = true;
        } else if (args[i] == "--diff") {
            opt.diff = true;
        } else if (!args[i].empty() && args[i][0] == '-') {
            return "unknown option: " + args[i];
        } else {
            opt.paths.push_back(args[i]);
        }
    }
    if (opt.paths.empty()) return "check needs at least one FILE or folder";
    if (opt.diff && !opt.fix) return "--diff needs --fix";
    return {};
}

// Applies the best fix of each finding: writes the file, or prints the diff. False when the file cannot be
// written.
bool apply_fixes(const FileReport& report, const CheckOptions& opt) {
    std::vector<Replacement> edits;
    for (const auto& f : report.findings)
        if (const Fix* fix = best_fix(f, !opt.analysis.probe))
            edits.insert(edits.end(), fix->edits.begin(), fix->edits.end());
    std::string fixed = apply_replacements(report.text, edits);
    if (opt.diff) {
        std::cout << unified_diff(report.path, report.text, fixed);
    } else if (fixed != report.text) {
        std::ofstream out(report.path, std::ios::binary | std::ios::trunc);
        if (!out || !(out << fixed)) return false;
        std::fprintf(stderr, "faultline: fixed %s\n", report.path.c_str());
    }
    return true;
}

} // namespace

int check_command(const Args& args) {
    CheckOptions opt;
    if (std::string error = parse_check_args(args, opt); !error.empty()) return usage_error(error);
    const auto started = std::chrono::steady_clock::now();

    FileList list = collect_python_files(opt.paths, opt.excludes);
    bool input_error = false;
    for (const auto& path : list.missing) {
        std::fprintf(stderr, "faultline: cannot read %s: no such file or folder\n", path.c_str());
        input_error = true;
    }

    // Each file's analysis is independent (probes run concurrently by design, one thread each); the reports
    // keep the walk's sorted order whatever order they finish in.
    std::vector<FileReport> reports(list.files.size());
    {
        Progress progress(list.files.size()); // cleared before anything else is printed
        parallel_for(list.files.size(), opt.jobs, [&](size_t i) {
            FileReport& report = reports[i];
            report.path = list.files[i];
            if (read_file(report.path, report.text, report.error)) {
                // The nearest pyproject.toml's [tool.faultline]; the command line's lists and budget win.
                ProjectConfig config = load_project_config(report.path);
                if (!config.error.empty()) {
                    report.error = config.error;
                } else {
                    if (opt.select) config.select = *opt.select;
                    if (opt.ignore) config.ignore = *opt.ignore;
                    AnalysisOptions analysis_options = opt.analysis;
                    if (config.budget_seconds && !opt.budget_given)
                        analysis_options.probe_options.budget_seconds = *config.budget_seconds;
                    Analysis analysis = analyze_text(report.text, analysis_options);
                    apply_project_config(config, report.text, analysis.findings);
                    report.findings = std::move(analysis.findings);
                    report.trace = std::move(analysis.trace);
                }
            }
            progress.done(report.path);
        });
    }

    int exit_code = 0;
    std::vector<FileReport> readable;
    for (auto& report : reports) {
        if (!report.error.empty()) {
            std::fprintf(stderr, "faultline: %s\n", report.error.c_str());
            input_error = true;
            continue;
        }
        for (const auto& f : report.findings)
            if (f.severity == Severity::Error || f.severity == Severity::Warning) exit_code = 1;
        if (opt.fix && !apply_fixes(report, opt)) return usage_error("cannot write " + report.path);
        readable.push_back(std::move(report));
    }
    if (!(opt.fix && opt.diff)) {
        if (opt.format == "json")
            std::cout << format_json(readable).dump(2) << "\n";
        else if (opt.format == "sarif")
            std::cout << format_sarif(readable).dump(2) << "\n";
        else
            std::cout << format_text(readable);
    }
    std::cout.flush();
    if (opt.format == "text") {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "%s\n", summary_line(readable, seconds).c_str());
    }
    if (opt.exit_zero) exit_code = 0;
    return input_error ? 2 : exit_code;
}

} // namespace faultline::cli
