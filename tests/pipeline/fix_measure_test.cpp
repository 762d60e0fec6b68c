// Measurement on the real faulty programs (hidden: run with `pipeline_tests "[.measure]"`). For every subject
// with a published fix, apply faultline's best validated fixes to buggy.py and compare the probe of the
// result with the probe of fixed.py. Two runs: the findings faultline itself reports (analyze_text), and an
// oracle with one finding per ground-truth fault type, which measures the fixes apart from the diagnosis.
//
// "Matches": both probes ran and, for classification, their final accuracies are within 0.05; for regression
// their final losses are within 10% of each other (relative to the published fix's) or the repaired one is
// lower. Printed as a table for docs/fixes.md; the directory is FAULTLINE_BENCHMARKS or
// ../shared/benchmarks/real.
#include "faultline/engine/fixes.h"
#include "faultline/engine/pipeline.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

fs::path benchmark_dir() {
    if (const char* env = std::getenv("FAULTLINE_BENCHMARKS")) return env;
    return fs::path(FAULTLINE_SOURCE_DIR) / ".." / "shared" / "benchmarks" / "real";
}

constexpr double kMatchAccuracy = 0.05;
constexpr double kMatchLoss = 0.10;

bool matches(const ProbeScore& repaired, const ProbeScore& published) {
    if (!repaired.ok || !published.ok) return false;
    if (published.classification) {
        if (std::isnan(repaired.accuracy) || std::isnan(published.accuracy)) return false;
        return std::fabs(repaired.accuracy - published.accuracy) <= kMatchAccuracy ||
               repaired.accuracy > published.accuracy;
    }
    if (!std::isfinite(repaired.loss) || !std::isfinite(published.loss)) return false;
    return repaired.loss <= published.loss * (1 + kMatchLoss);
}

std::string score_text(const ProbeScore& s) {
    if (!s.ok) return "-";
    char buf[64];
    if (s.classification)
        std::snprintf(buf, sizeof buf, "acc %.2f", s.accuracy);
    else
        std::snprintf(buf, sizeof buf, "loss %.3g", s.loss);
    return buf;
}

struct Repair {
    std::vector<std::string> titles;
    std::string text;
};

// What `faultline check --fix` would write: the best validated fix of every finding.
Repair apply_best(const std::string& text, const std::vector<Finding>& findings) {
    Repair r;
    std::vector<Replacement> edits;
    for (const auto& f : findings)
        if (const Fix* fix = best_fix(f, false)) {
            // One fix can be the best of two findings (act and loss): it is applied once.
            if (std::find(r.titles.begin(), r.titles.end(), fix->title) != r.titles.end()) continue;
            r.titles.push_back(fix->title);
            edits.insert(edits.end(), fix->edits.begin(), fix->edits.end());
        }
    r.text = apply_replacements(text, edits);
    return r;
}

struct Tally {
    int subjects = 0, probed = 0, fix_applied = 0, matched = 0, already_matching = 0;
    // Among the subjects whose buggy probe does not match the published fix's (the fault shows in the probe).
    int visible = 0, visible_fixed = 0, visible_matched = 0;
};

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : "; ") + x;
    return s.empty() ? "(none)" : s;
}

} // namespace

TEST_CASE("measure: best validated fixes against the published fixes", "[.measure]") {
    fs::path dir = benchmark_dir();
    REQUIRE(fs::is_directory(dir));
    std::vector<fs::path> subjects;
    for (const auto& e : fs::directory_iterator(dir))
        if (fs::exists(e.path() / "fixed.py")) subjects.push_back(e.path());
    std::sort(subjects.begin(), subjects.end());

    AnalysisOptions options;
    Tally own, oracle;
    std::vector<double> validation_seconds;
    std::cout
        << "| subject | faults | buggy | published fix | faultline's fixes (own findings) | result | match "
           "| oracle fixes | result | match | validation s "
           "|\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& subject : subjects) {
        std::string buggy = read_text(subject / "buggy.py");
        std::string fixed = read_text(subject / "fixed.py");
        auto truth = nlohmann::json::parse(read_text(subject / "truth.json"));
        std::vector<std::string> faults;
        for (const auto& t : truth["fault_types"])
            faults.push_back(t.get<std::string>());

        TrainingProgram program = parse_program(buggy);
        Trace baseline = run_probe(program, options.probe_options).trace;
        TrainingProgram fixed_program = parse_program(fixed);
        Trace published_trace = run_probe(fixed_program, options.probe_options).trace;
        bool classification = scored_as_classification(fixed_program, published_trace);
        ProbeScore before = probe_score(baseline, classification);
        ProbeScore published = probe_score(published_trace, classification);
        ++own.subjects;
        ++oracle.subjects;
        bool probed = before.ok && published.ok;
        if (probed) ++own.probed, ++oracle.probed;
        bool already = probed && matches(before, published);
        if (already) ++own.already_matching, ++oracle.already_matching;
        if (probed && !already) ++own.visible, ++oracle.visible;

        auto measure = [&](const std::vector<Finding>& findings, Tally& tally, std::string& titles,
                           std::string& result, bool& match) {
            Repair r = apply_best(buggy, findings);
            titles = join(r.titles);
            if (r.titles.empty() || !probed) {
                result = "-";
                match = false;
                return;
            }
            ++tally.fix_applied;
            if (!already) ++tally.visible_fixed;
            ProbeScore after =
                probe_score(run_probe(parse_program(r.text), options.probe_options).trace, classification);
            result = score_text(after);
            match = matches(after, published);
            if (match) ++tally.matched;
            if (match && !already) ++tally.visible_matched;
        };

        std::string own_titles, own_result, oracle_titles, oracle_result;
        bool own_match = false, oracle_match = false;
        Analysis analysis = analyze_text(buggy, options);
        measure(analysis.findings, own, own_titles, own_result, own_match);

        std::vector<Finding> truth_findings;
        for (const auto& name : faults)
            if (auto fault = fault_from_string(name)) {
                Finding f;
                f.fault = *fault;
                truth_findings.push_back(f);
            }
        double seconds = 0;
        if (baseline.status == ProbeStatus::Ok) {
            auto start = std::chrono::steady_clock::now();
            validate_fixes(buggy, program, baseline, truth_findings, options.probe_options);
            seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            validation_seconds.push_back(seconds);
        }
        measure(truth_findings, oracle, oracle_titles, oracle_result, oracle_match);

        std::string fault_list;
        for (const auto& f : faults)
            fault_list += (fault_list.empty() ? "" : ",") + f;
        std::cout << "| " << subject.filename().string() << " | " << fault_list << " | "
                  << (before.ok ? score_text(before) : "not probed: " + baseline.reason) << " | "
                  << (published.ok ? score_text(published) : "not probed: " + published_trace.reason) << " | "
                  << own_titles << " | " << own_result << " | " << (own_match ? "yes" : "no") << " | "
                  << oracle_titles << " | " << oracle_result << " | " << (oracle_match ? "yes" : "no")
                  << " | ";
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.2f", seconds);
        std::cout << secs << " |\n";
    }
    auto summary = [](const char* name, const Tally& t) {
        std::cout << name << ": " << t.subjects << " subjects with a published fix, " << t.probed
                  << " probed (buggy and fixed), " << t.already_matching
                  << " whose buggy probe already matches the fix's, " << t.fix_applied
                  << " with a validated fix applied, " << t.matched
                  << " of those match the published fix's probe; of the " << t.visible
                  << " whose fault shows in the probe, " << t.visible_fixed << " got a validated fix and "
                  << t.visible_matched << " match\n";
    };
    std::cout << "\n";
    summary("own findings", own);
    summary("oracle findings", oracle);
    std::sort(validation_seconds.begin(), validation_seconds.end());
    if (!validation_seconds.empty())
        std::cout << "oracle validation time: median " << validation_seconds[validation_seconds.size() / 2]
                  << " s, max " << validation_seconds.back() << " s (budget "
                  << 3 * options.probe_options.budget_seconds << " s)\n";
    CHECK(own.subjects == static_cast<int>(subjects.size()));
}
