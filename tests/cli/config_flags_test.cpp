// `faultline check` with --select / --ignore / --exit-zero, suppression comments and [tool.faultline].
#include "run_cli.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

using Result = faultline::test::CliResult;

// Stderr is kept: the configuration errors are asserted on it.
Result run(const std::string& args, const fs::path&) {
    return faultline::test::run_cli(args, /*keep_stderr=*/true);
}

// A script with a proven error (softmax over one unit, FL111) and a categorical loss on that unit (FL101).
constexpr const char* kScript = R"(from keras.models import Sequential
from keras.layers import Dense

model = Sequential()
model.add(Dense(16, activation='relu', input_shape=(8,)))
model.add(Dense(1, activation='softmax'))SUFFIX
model.compile(loss='categorical_crossentropy', optimizer='adam')
model.fit(x, y, epochs=10)
)";

struct Project {
    fs::path dir;
    fs::path script;
    explicit Project(const std::string& suffix, const std::string& pyproject = "") {
        static int count = 0;
        dir = fs::temp_directory_path() /
              ("faultline_cli_config_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
        fs::remove_all(dir);
        fs::create_directories(dir / "src");
        script = dir / "src" / "train.py";
        std::string text = kScript;
        text.replace(text.find("SUFFIX"), 6, suffix);
        std::ofstream(script) << text;
        if (!pyproject.empty()) std::ofstream(dir / "pyproject.toml") << pyproject;
    }
    ~Project() { fs::remove_all(dir); }

    std::vector<std::string> codes(const std::string& flags) {
        Result r = run("check --no-probe --format json " + flags + " " + script.string(), dir);
        INFO(r.err);
        REQUIRE(r.exit_code != 2);
        std::vector<std::string> out;
        const auto report = nlohmann::json::parse(r.out);
        for (const auto& d : report["files"][0]["diagnostics"])
            out.push_back(d["code"].get<std::string>());
        return out;
    }
};

using Codes = std::vector<std::string>;

} // namespace

TEST_CASE("check: --select, --ignore and --exit-zero") {
    Project p("");
    CHECK(p.codes("") == Codes{"FL111", "FL101"});
    CHECK(p.codes("--select FL111") == Codes{"FL111"});
    CHECK(p.codes("--select=fl10") == Codes{"FL101"});
    CHECK(p.codes("--ignore FL111,FL101").empty());
    CHECK(run("check --no-probe " + p.script.string(), p.dir).exit_code == 1);
    CHECK(run("check --no-probe --exit-zero " + p.script.string(), p.dir).exit_code == 0);
}

TEST_CASE("check: suppression comments on the finding's line") {
    CHECK(Project("  # noqa: FL111").codes("") == Codes{"FL101"});
    CHECK(Project("  # faultline: ignore[FL111]").codes("") == Codes{"FL101"});
    // Only the line it is on: FL101 sits on the compile line below.
    CHECK(Project("  # noqa").codes("") == Codes{"FL101"});
}

TEST_CASE("check: [tool.faultline] in the nearest pyproject.toml") {
    Project p("", "[project]\nname = \"x\"\n\n[tool.faultline]\nignore = [\"FL101\"]\n\n"
                  "[tool.faultline.severity]\nFL111 = \"information\"\n");
    Result r = run("check --no-probe --format json " + p.script.string(), p.dir);
    REQUIRE(r.exit_code == 0); // the only finding left is information
    auto diagnostics = nlohmann::json::parse(r.out)["files"][0]["diagnostics"];
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0]["code"] == "FL111");
    CHECK(diagnostics[0]["severity"] == 3);
    // The command line's list replaces the file's.
    CHECK(p.codes("--ignore FL111") == Codes{"FL101"});

    Project bad("", "[tool.faultline]\nselect = [\"FL1\"\nbudget = 2\n");
    Result e = run("check --no-probe " + bad.script.string(), bad.dir);
    CHECK(e.exit_code == 2);
    CHECK(e.err.find("pyproject.toml line 3: expected ',' or ']' in the array") != std::string::npos);
}
