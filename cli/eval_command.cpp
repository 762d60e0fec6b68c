// `faultline eval DIR`: score a folder of subjects (buggy.py, optional fixed.py, truth.json) with the DeepFD
// paper's lenient protocol, as ../shared/benchmarks/README.md describes it.
#include "commands.h"
#include "lsp_child.h"

#include "faultline/engine/diagnose.h"
#include "faultline/engine/docs_link.h"
#include "faultline/engine/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

namespace faultline::cli {

bool parse_probe_option(const Args& args, size_t& i, AnalysisOptions& options, std::string& error);

namespace {

namespace fs = std::filesystem;

struct Alarm {
    std::string fault;
    uint32_t line; // 1-based
};

struct Run {
    std::vector<Alarm> alarms;
    std::string probe_status;
    double seconds = 0;
};

// The benchmark's ground truth uses DeepFD's labels, whose `act` covers any activation function; faultline
// tells the hidden layers' (hidden_activation) from the output layer's (act).
std::string benchmark_label(Fault f) {
    return f == Fault::hidden_activation ? "act" : to_string(f);
}

// An alarm is a diagnostic of severity Error or Warning.
Run run_file(const std::string& text, const AnalysisOptions& options) {
    auto t0 = std::chrono::steady_clock::now();
    Analysis a = analyze_text(text, options);
    Run run;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run.probe_status = to_string(a.trace.status);
    for (const auto& f : a.findings)
        if (f.severity == Severity::Error || f.severity == Severity::Warning)
            run.alarms.push_back({benchmark_label(f.fault), f.range.start.row + 1});
    return run;
}

// The same, through the language server: what an editor user sees once the probe of the document is done.
Run run_through_lsp(LspChild& server, const std::string& path, const std::string& text) {
    auto t0 = std::chrono::steady_clock::now();
    Run run;
    LspChild::Probed probed;
    try {
        probed = server.analyze(file_uri(path), text);
    } catch (const std::runtime_error& e) {
        // A failed probe request (a worker killed as hung) is that file's result, not the end of the run;
        // the static findings are still pulled.
        std::fprintf(stderr, "faultline: %s: %s\n", path.c_str(), e.what());
        probed = server.after_failed_probe(file_uri(path));
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run.probe_status = probed.probe_status;
    for (const auto& d : probed.diagnostics) {
        if (d.value("severity", 4) > static_cast<int>(Severity::Warning)) continue;
        auto fault = fault_from_string(d.value("data", nlohmann::json::object()).value("fault", ""));
        run.alarms.push_back(
            {benchmark_label(fault.value_or(Fault::api)), d["range"]["start"].value("line", 0u) + 1});
    }
    return run;
}

std::string own_binary() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("faultline") : self.string();
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double pct(int n, int d) {
    return d ? 100.0 * n / d : 0.0;
}

} // namespace

int eval_command(const Args& args) {
    AnalysisOptions options;
    bool json = false;
    std::string through = "cli"; // or "lsp": each subject through `faultline lsp`, as an editor sees it
    std::string dir;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string error;
        if (args[i] == "--json")
            json = true;
        else if (args[i] == "--through" && i + 1 < args.size())
            through = args[++i];
        else if (args[i].rfind("--through=", 0) == 0)
            through = args[i].substr(std::string("--through=").size());
        else if (parse_probe_option(args, i, options, error)) {
            if (!error.empty()) return usage_error(error);
        } else if (!args[i].empty() && args[i][0] == '-')
            return usage_error("unknown option: " + args[i]);
        else
            dir = args[i];
    }
    if (dir.empty()) return usage_error("eval needs a DIR of subjects");
    if (through != "cli" && through != "lsp")
        return usage_error("--through takes cli or lsp, not " + through);
    const bool through_lsp = through == "lsp";
    AnalysisOptions server_defaults;
    server_defaults.probe_options.budget_seconds = options.probe_options.budget_seconds;
    if (through_lsp && (!options.probe || !options.whatif ||
                        options.probe_options.seed != server_defaults.probe_options.seed))
        return usage_error(
            "--through lsp takes only --budget: the language server has no setting for the others");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return usage_error("not a directory: " + dir);

    std::vector<fs::path> subjects;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (fs::exists(entry.path() / "buggy.py") && fs::exists(entry.path() / "truth.json"))
            subjects.push_back(entry.path());
    std::sort(subjects.begin(), subjects.end());
    if (subjects.empty()) return usage_error("no subjects (buggy.py + truth.json) in " + dir);

    nlohmann::json rows = nlohmann::json::array();
    int diagnosed = 0, localized = 0, with_fix = 0, still_flagged = 0, probed_ok = 0, files = 0;
    std::map<std::string, std::array<int, 3>> per_type;  // tp, fp, fn
    std::map<std::string, std::array<int, 3>> published; // diagnosed, localized, subjects
    std::vector<double> times;
    std::unique_ptr<LspChild> server;
    if (through_lsp) {
        try {
            server = std::make_unique<LspChild>(
                own_binary(),
                // The server's info log would bury the scores; warnings and errors still show.
                nlohmann::json{
                    {"probe", {{"enabled", true}, {"budgetSeconds", options.probe_options.budget_seconds}}},
                    {"logLevel", "warn"}});
        } catch (const std::exception& e) {
            return usage_error(e.what());
        }
    }
    auto run = [&](const fs::path& file, const std::string& text) {
        return server ? run_through_lsp(*server, fs::absolute(file).string(), text) : run_file(text, options);
    };
    for (const auto& subject : subjects) {
        std::string text, error, truth_text;
        if (!read_file((subject / "truth.json").string(), truth_text, error)) return usage_error(error);
        nlohmann::json truth = nlohmann::json::parse(truth_text, nullptr, false);
        if (truth.is_discarded()) return usage_error("invalid truth.json in " + subject.string());
        std::set<std::string> types;
        for (const auto& t : truth.value("fault_types", nlohmann::json::array()))
            types.insert(t.get<std::string>());
        std::set<uint32_t> lines;
        for (const auto& l : truth.value("fault_lines", nlohmann::json::array()))
            lines.insert(l.get<uint32_t>());
        bool no_fault = types.empty() || (types.size() == 1 && types.count("none"));

        if (!read_file((subject / "buggy.py").string(), text, error)) return usage_error(error);
        Run buggy = run(subject / "buggy.py", text);
        ++files;
        times.push_back(buggy.seconds);
        probed_ok += buggy.probe_status == "ok";
        std::set<std::string> alarmed;
        bool loc = false;
        for (const auto& a : buggy.alarms) {
            alarmed.insert(a.fault);
            loc = loc || lines.count(a.line);
        }
        bool diag = no_fault ? buggy.alarms.empty()
                             : std::any_of(alarmed.begin(), alarmed.end(),
                                           [&](auto& t) { return types.count(t) > 0; });
        diagnosed += diag;
        localized += !no_fault && loc;
        if (!no_fault) {
            for (const auto& t : alarmed)
                per_type[t][types.count(t) ? 0 : 1]++;
            for (const auto& t : types)
                if (!alarmed.count(t)) per_type[t][2]++;
        } else {
            for (const auto& t : alarmed)
                per_type[t][1]++;
        }

        nlohmann::json row = {{"subject", subject.filename().string()},
                              {"truth", types},
                              {"alarms", alarmed},
                              {"diagnosed", diag},
                              {"localized", !no_fault && loc},
                              {"probe", buggy.probe_status},
                              {"seconds", buggy.seconds}};
        if (fs::exists(subject / "fixed.py") && read_file((subject / "fixed.py").string(), text, error)) {
            Run fixed = run(subject / "fixed.py", text);
            ++files;
            times.push_back(fixed.seconds);
            probed_ok += fixed.probe_status == "ok";
            bool flagged = std::any_of(fixed.alarms.begin(), fixed.alarms.end(),
                                       [&](const Alarm& a) { return types.count(a.fault) > 0; });
            ++with_fix;
            still_flagged += flagged;
            row["still_flagged_on_fix"] = flagged;
        }
        if (truth.contains("deepfd") && truth["deepfd"].is_array() && !truth["deepfd"].empty() &&
            truth["deepfd"][0].is_object()) {
            // A named copy: items() of the temporary that value() returns would dangle inside the loop.
            const nlohmann::json tools = truth["deepfd"][0].value("tool_results", nlohmann::json::object());
            for (const auto& [tool, result] : tools.items()) {
                if (!result.is_object()) continue;
                auto& p = published[tool];
                p[0] += result.value("diagnosed", "0") == "1";
                p[1] += result.value("localized", "0") == "1";
                p[2] += 1;
            }
        }
        rows.push_back(row);
        if (!json)
            std::fprintf(stderr, "%-28s diagnosed=%d localized=%d probe=%s %.2fs\n",
                         subject.filename().c_str(), diag, !no_fault && loc, buggy.probe_status.c_str(),
                         buggy.seconds);
    }

    int n = static_cast<int>(subjects.size());
    nlohmann::json types_json = nlohmann::json::object();
    for (const auto& [t, c] : per_type) {
        double precision = c[0] + c[1] ? double(c[0]) / (c[0] + c[1]) : 0;
        double recall = c[0] + c[2] ? double(c[0]) / (c[0] + c[2]) : 0;
        types_json[t] = {
            {"tp", c[0]}, {"fp", c[1]}, {"fn", c[2]}, {"precision", precision}, {"recall", recall}};
    }
    nlohmann::json published_json = nlohmann::json::object();
    for (const auto& [tool, p] : published)
        published_json[tool] = {{"subjects", p[2]}, {"diagnosed", p[0]}, {"localized", p[1]}};
    nlohmann::json summary = {
        {"subjects", n},
        {"diagnosed", diagnosed},
        {"localized", localized},
        {"diagnosed_pct", pct(diagnosed, n)},
        {"localized_pct", pct(localized, n)},
        {"fixed_files", with_fix},
        {"still_flagged_on_fix", still_flagged},
        {"still_flagged_pct", pct(still_flagged, with_fix)},
        {"probe_coverage_pct", pct(probed_ok, files)},
        {"seconds_median", median(times)},
        {"seconds_max", times.empty() ? 0 : *std::max_element(times.begin(), times.end())},
        {"per_type", types_json},
        {"published", published_json},
        {"probe", options.probe}};
    // Which diagnosis model scored the traces: without a bundled one the probe's findings cannot name fault
    // types.
    std::string model_error;
    const bool bundled = DiagnosisModel::bundled(&model_error) != nullptr;
    summary["diagnosis_model"] = {{"bundled", bundled}, {"error", bundled ? "" : model_error}};
    if (json) {
        std::cout << nlohmann::json{{"summary", summary}, {"subjects", rows}}.dump(2) << "\n";
        return 0;
    }
    std::printf(
        "subjects %d  diagnosed %d (%.1f%%)  localized %d (%.1f%%)  still flagged on fix %d/%d (%.1f%%)\n", n,
        diagnosed, pct(diagnosed, n), localized, pct(localized, n), still_flagged, with_fix,
        pct(still_flagged, with_fix));
    std::printf("probe coverage %.1f%%  time per file: median %.2f s, max %.2f s\n", pct(probed_ok, files),
                median(times), summary["seconds_max"].get<double>());
    std::printf("%-20s %5s %5s %5s %9s %7s\n", "type", "tp", "fp", "fn", "precision", "recall");
    for (const auto& [t, v] : types_json.items())
        std::printf("%-20s %5d %5d %5d %9.2f %7.2f\n", t.c_str(), v["tp"].get<int>(), v["fp"].get<int>(),
                    v["fn"].get<int>(), v["precision"].get<double>(), v["recall"].get<double>());
    if (!published.empty()) {
        std::printf("published results on the subjects that have them:\n");
        for (const auto& [tool, p] : published)
            std::printf("  %-14s diagnosed %d/%d  localized %d/%d\n", tool.c_str(), p[0], p[2], p[1], p[2]);
    }
    return 0;
}

} // namespace faultline::cli
