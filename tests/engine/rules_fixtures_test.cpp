// Every script under tests/fixtures/rules/ is parsed and checked; the findings must be exactly the ones its
// `# expect: FL1xx[, FL1yy]` comments announce, each on the line of its comment. A script without annotations
// is a correct program on which no check may fire.
#include "faultline/engine/rules.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

using Expectation = std::pair<uint32_t, std::string>; // 0-based line, code

std::set<Expectation> expectations(const std::string& text) {
    std::set<Expectation> out;
    std::istringstream in(text);
    std::string line;
    static const std::regex expect_re("#\\s*expect:\\s*(.*)$");
    static const std::regex code_re("FL[0-9]{3}");
    for (uint32_t row = 0; std::getline(in, line); ++row) {
        std::smatch m;
        if (!std::regex_search(line, m, expect_re)) continue;
        std::string codes = m[1];
        for (std::sregex_iterator it(codes.begin(), codes.end(), code_re), end; it != end; ++it)
            out.insert({row, it->str()});
    }
    return out;
}

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

TEST_CASE("rule fixtures: findings match the # expect annotations exactly") {
    fs::path dir = fs::path(FAULTLINE_FIXTURES) / "rules";
    REQUIRE(fs::is_directory(dir));
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".py") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 20);
    size_t silent = 0, firing = 0;
    for (const auto& file : files) {
        std::string text = read(file);
        auto expected = expectations(text);
        (expected.empty() ? silent : firing) += 1;
        std::set<Expectation> actual;
        std::string listing;
        for (const auto& f : run_static_checks(parse_program(text))) {
            actual.insert({f.range.start.row, f.code});
            listing +=
                "  line " + std::to_string(f.range.start.row + 1) + " " + f.code + ": " + f.message + "\n";
        }
        INFO(file.filename().string() << " found:\n" << listing);
        for (const auto& [row, code] : expected) {
            INFO("expected " << code << " on line " << row + 1);
            CHECK(actual.count({row, code}) == 1);
        }
        for (const auto& [row, code] : actual) {
            INFO("unexpected " << code << " on line " << row + 1);
            CHECK(expected.count({row, code}) == 1);
        }
    }
    // Both kinds must be present: faulty scripts that fire and correct ones that must stay silent.
    CHECK(silent >= 8);
    CHECK(firing >= 12);
}

TEST_CASE("rule fixtures: every rule has a fixture that fires it") {
    fs::path dir = fs::path(FAULTLINE_FIXTURES) / "rules";
    REQUIRE(fs::is_directory(dir));
    std::set<std::string> annotated;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".py")
            for (const auto& [row, code] : expectations(read(e.path())))
                annotated.insert(code);
    // FL162 (no backward()) cannot come from a parsed script: the parser finds the PyTorch training loop
    // through its loss.backward() call, so a loop without one is not read as a loop. Its unit tests build the
    // program by hand (rules_loop_test.cpp).
    const std::set<std::string> unreachable{"FL162"};
    for (const auto& r : all_rules()) {
        INFO(r.code);
        CHECK(annotated.count(r.code) == (unreachable.count(r.code) ? 0u : 1u));
    }
}

TEST_CASE("fixes from fixtures apply cleanly and silence their finding") {
    fs::path dir = fs::path(FAULTLINE_FIXTURES) / "rules";
    REQUIRE(fs::is_directory(dir));
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".py") continue;
        std::string text = read(e.path());
        for (const auto& f : run_static_checks(parse_program(text))) {
            for (const auto& fix : f.fixes) {
                if (!fix.preferred) continue;
                std::string out = text;
                auto edits = fix.edits;
                std::sort(edits.begin(), edits.end(), [](const Replacement& a, const Replacement& b) {
                    return a.range.start_byte > b.range.start_byte;
                });
                for (const auto& r : edits) {
                    REQUIRE(r.range.end_byte <= out.size());
                    out.replace(r.range.start_byte, r.range.end_byte - r.range.start_byte, r.new_text);
                }
                TrainingProgram fixed = parse_program(out);
                INFO(e.path().filename().string() << ": " << f.code << " fix '" << fix.title << "'\n" << out);
                CHECK_FALSE(fixed.has_syntax_errors);
                bool still = false;
                for (const auto& g : run_static_checks(fixed))
                    still = still || g.code == f.code;
                CHECK_FALSE(still);
            }
        }
    }
}
