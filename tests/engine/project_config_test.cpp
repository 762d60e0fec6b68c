// pyproject.toml's [tool.faultline], suppression comments, and the filtering both apply to findings.
#include "faultline/engine/project_config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

Finding at_row(std::string code, uint32_t row, Severity severity = Severity::Warning) {
    Finding f;
    f.code = std::move(code);
    f.severity = severity;
    f.range.start.row = row;
    f.range.end.row = row;
    return f;
}

std::vector<std::string> codes(const std::vector<Finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings)
        out.push_back(f.code);
    return out;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

} // namespace

TEST_CASE("config: [tool.faultline] keys, with other tools' tables skipped") {
    auto c = parse_project_config(R"([project]
name = "trainer"
dependencies = [
  "torch>=2",
  "[weird] = not a header",
]
description = """
[tool.faultline]
select = "inside a multi-line string of another table"
"""

[tool.faultline]
select = ["FL1", "fl301"]  # prefixes and codes
ignore = [
    "FL205",
]
budget = 4.5

[tool.faultline.severity]
FL151 = "information"
FL2 = 'hint'

[tool.ruff]
line-length = 100
inline = { a = 1 }
)");
    INFO(c.error);
    REQUIRE(c.error.empty());
    CHECK(c.select == std::vector<std::string>{"FL1", "FL301"});
    CHECK(c.ignore == std::vector<std::string>{"FL205"});
    REQUIRE(c.budget_seconds);
    CHECK(*c.budget_seconds == 4.5);
    CHECK(c.severity.at("FL151") == Severity::Information);
    CHECK(c.severity.at("FL2") == Severity::Hint);
}

TEST_CASE("config: malformed input gives a clear error naming the line") {
    auto error_of = [](const char* text) { return parse_project_config(text).error; };
    CHECK(error_of("[tool.faultline]\nselect = [\"FL1\"\n") == "line 2: unterminated array");
    CHECK(error_of("[tool.faultline]\nselect = \"FL1\n") == "line 2: unterminated string");
    CHECK(error_of("[tool.faultline]\nselect [\"FL1\"]\n") == "line 2: expected '=' after 'select'");
    CHECK(error_of("[tool.faultline]\nbudget = fast\n") == "line 2: expected a value, found 'fast'");
    CHECK(error_of("[tool.faultline]\nbudget = -1\n") ==
          "line 2: 'budget' must be a positive number of seconds");
    CHECK(error_of("[tool.faultline]\nselect = [1, 2]\n") == "line 2: only arrays of strings are supported");
    CHECK(error_of("\n[tool.faultline]\nselect = \"FL1\"\n") ==
          "line 3: 'select' must be an array of rule codes, e.g. [\"FL151\", \"FL2\"]");
    CHECK(error_of("[tool.faultline]\nselect = [\"E501\"]\n") ==
          "line 2: 'E501' in 'select' is not a rule code or prefix (FL151, FL1)");
    CHECK(error_of("[tool.faultline]\nbudget = 3\nbudget = 4\n") ==
          "line 3: 'budget' is set twice in [tool.faultline]");
    CHECK(error_of("[tool.faultline]\nfoo = 1\n").find("line 2: unknown key 'foo'") == 0);
    CHECK(error_of("[tool.faultline]\nbudget = 3 extra\n") == "line 2: unexpected text after the value");
    CHECK(error_of("[tool.faultline.severity]\nFL205 = \"loud\"\n").find("line 2: severity overrides take") ==
          0);
    CHECK(error_of("[tool.faultline.rules]\n").find("unknown table [tool.faultline.rules]") == 0);
    CHECK(
        error_of("[tool.faultline]\nsev = { FL205 = \"hint\" }\n").find("inline tables are not supported") !=
        std::string::npos);
    // A malformed file applies none of its settings.
    auto half = parse_project_config("[tool.faultline]\nbudget = 3\nselect = 7\n");
    CHECK(!half.error.empty());
    CHECK(!half.budget_seconds);
}

TEST_CASE("config: the nearest pyproject.toml with [tool.faultline], walking up from the file") {
    const fs::path root = fs::temp_directory_path() / ("faultline_config_test_" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "pkg" / "sub");
    write(root / "pyproject.toml", "[tool.faultline]\nignore = [\"FL131\"]\n");
    write(root / "pkg" / "pyproject.toml", "[project]\nname = \"inner\"\n"); // no settings: keep walking
    write(root / "pkg" / "sub" / "train.py", "print(1)\n");
    auto c = load_project_config(root / "pkg" / "sub" / "train.py");
    CHECK(c.file == root / "pyproject.toml");
    CHECK(c.ignore == std::vector<std::string>{"FL131"});

    write(root / "pkg" / "pyproject.toml", "[tool.faultline]\nselect = [\"FL1\n");
    auto bad = load_project_config(root / "pkg" / "sub" / "train.py");
    CHECK(bad.error.find("pkg/pyproject.toml line 2: unterminated string") != std::string::npos);
    fs::remove_all(root);
}

TEST_CASE("suppressions: noqa and faultline: ignore on the finding's first line") {
    CHECK(suppressed_on_line("x = x  # noqa", "FL151"));
    CHECK(suppressed_on_line("x = x  # NOQA: FL151", "FL151"));
    CHECK(suppressed_on_line("x = x  # noqa: FL152, FL151", "FL151"));
    CHECK(suppressed_on_line("x = x  # noqa:FL1", "FL151"));
    CHECK_FALSE(suppressed_on_line("x = x  # noqa: FL152", "FL151"));
    CHECK(suppressed_on_line("x = x  # faultline: ignore[FL151,FL152]", "FL151"));
    CHECK(suppressed_on_line("x = x  # type: int  # faultline: ignore[ FL152, FL151 ]", "FL151"));
    CHECK_FALSE(suppressed_on_line("x = x  # faultline: ignore[FL152]", "FL151"));
    CHECK_FALSE(suppressed_on_line("x = x  # no quality assurance", "FL151"));
    CHECK_FALSE(suppressed_on_line("x = 'noqa'", "FL151"));
    CHECK_FALSE(suppressed_on_line("x = x  # see the noqa docs", "FL151"));
}

TEST_CASE("apply_project_config: select, ignore, suppressions, severity overrides") {
    const std::string text = "a = 1\nb = 2  # noqa: FL151\nc = 3  # faultline: ignore[FL2]\nd = 4\n";
    std::vector<Finding> findings{at_row("FL131", 0), at_row("FL151", 1), at_row("FL152", 1, Severity::Error),
                                  at_row("FL205", 2), at_row("FL302", 3), at_row("FL205", 3)};
    ProjectConfig none;
    auto all = findings;
    apply_project_config(none, text, all);
    CHECK(codes(all) == std::vector<std::string>{"FL131", "FL152", "FL302", "FL205"});

    ProjectConfig c;
    c.select = {"FL1", "FL2"};
    c.ignore = {"FL131"};
    c.severity = {{"FL2", Severity::Hint}, {"FL205", Severity::Information}};
    auto some = findings;
    apply_project_config(c, text, some);
    REQUIRE(codes(some) == std::vector<std::string>{"FL152", "FL205"});
    CHECK(some[0].severity == Severity::Error);
    CHECK(some[1].severity == Severity::Information); // the more specific override wins
}
