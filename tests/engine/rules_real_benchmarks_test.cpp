// The static checks on the real faulty programs in /work/shared/benchmarks/real (not part of the repository:
// skipped when absent). The requirement: on each fixed.py, no Error/Warning alarm whose fault type is one the
// subject's truth.json names (that would be a false alarm on the fix). The tallies for docs/rules.md are
// printed.
#include "faultline/engine/rules.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

const fs::path kRealDir = "/work/shared/benchmarks/real";

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool alarming(const Finding& f) {
    return f.severity == Severity::Error || f.severity == Severity::Warning;
}

const char* severity_name(Severity s) {
    switch (s) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Information:
        return "info";
    case Severity::Hint:
        return "hint";
    }
    return "?";
}

} // namespace

TEST_CASE("real benchmarks: no alarm of a labelled fault type on the fixed programs", "[real]") {
    if (!fs::is_directory(kRealDir)) {
        WARN("skipped: " << kRealDir << " is absent");
        return;
    }
    std::vector<fs::path> subjects;
    for (const auto& e : fs::directory_iterator(kRealDir))
        if (fs::exists(e.path() / "truth.json")) subjects.push_back(e.path());
    std::sort(subjects.begin(), subjects.end());

    int buggy_total = 0, correct_type = 0, on_fault_line = 0, fixed_total = 0, fixed_flagged = 0,
        fixed_flagged_any = 0;
    std::ostringstream report;
    for (const auto& dir : subjects) {
        auto truth = nlohmann::json::parse(read(dir / "truth.json"), nullptr, false);
        REQUIRE_FALSE(truth.is_discarded());
        std::set<Fault> types;
        for (const auto& t : truth.value("fault_types", nlohmann::json::array()))
            if (auto f = fault_from_string(t.get<std::string>())) types.insert(*f);
        std::set<uint32_t> lines;
        for (const auto& l : truth.value("fault_lines", nlohmann::json::array()))
            lines.insert(l.get<uint32_t>());
        std::string id = dir.filename().string();

        if (fs::exists(dir / "buggy.py") && !types.empty()) {
            ++buggy_total;
            bool type_hit = false, line_hit = false;
            for (const auto& f : run_static_checks(parse_program(read(dir / "buggy.py")))) {
                bool typed = types.count(f.fault) > 0;
                bool lined = false;
                for (uint32_t row = f.range.start.row; row <= f.range.end.row; ++row)
                    lined = lined || lines.count(row + 1) > 0;
                type_hit = type_hit || (alarming(f) && typed);
                line_hit = line_hit || (alarming(f) && lined);
                report << id << " buggy line " << f.range.start.row + 1 << " " << f.code << " "
                       << severity_name(f.severity) << " [" << to_string(f.fault)
                       << (typed ? ", labelled" : "") << (lined ? ", fault line" : "") << "] " << f.message
                       << "\n";
            }
            correct_type += type_hit;
            on_fault_line += line_hit;
        }
        if (fs::exists(dir / "fixed.py")) {
            ++fixed_total;
            bool flagged = false, flagged_any = false;
            for (const auto& f : run_static_checks(parse_program(read(dir / "fixed.py")))) {
                bool typed = types.count(f.fault) > 0;
                report << id << " fixed line " << f.range.start.row + 1 << " " << f.code << " "
                       << severity_name(f.severity) << " [" << to_string(f.fault)
                       << (typed ? ", labelled" : "") << "] " << f.message << "\n";
                if (!alarming(f)) continue;
                flagged_any = true;
                INFO(id << " fixed.py line " << f.range.start.row + 1 << ": " << f.code << " " << f.message);
                CHECK_FALSE(typed);
                flagged = flagged || typed;
            }
            fixed_flagged += flagged;
            fixed_flagged_any += flagged_any;
        }
    }
    std::cout << report.str() << "buggy.py with a labelled fault type: " << buggy_total
              << "; with >= 1 alarm of a labelled type: " << correct_type
              << "; with >= 1 alarm on a fault line: " << on_fault_line << "\nfixed.py: " << fixed_total
              << "; with an alarm of a labelled type: " << fixed_flagged
              << "; with any Error/Warning alarm: " << fixed_flagged_any << "\n";
}
