// The `faultline` command as a user and other tools see it: exit codes, and the JSON contract of check.
#include "run_cli.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

namespace {

using Result = faultline::test::CliResult;

Result run(const std::string& args) {
    return faultline::test::run_cli(args);
}

std::string example(const char* name) {
    return std::string(FAULTLINE_SOURCE_DIR) + "/examples/" + name;
}

bool is_position(const nlohmann::json& p) {
    return p.is_object() && p["line"].is_number_unsigned() && p["character"].is_number_unsigned();
}

} // namespace

TEST_CASE("usage errors exit with 2") {
    CHECK(run("--no-such-flag").exit_code == 2);
    CHECK(run("check").exit_code == 2);
    CHECK(run("check /no/such/file.py").exit_code == 2);
    CHECK(run("check --format yaml " + example("binary_softmax.py")).exit_code == 2);
}

TEST_CASE("version and help flags") {
    auto v = run("--version");
    CHECK(v.exit_code == 0);
    CHECK(v.out.rfind("faultline ", 0) == 0);
    auto h = run("--help");
    CHECK(h.exit_code == 0);
    CHECK(h.out.find("faultline check") != std::string::npos);
    for (const char* command : {"check", "lsp", "probe", "train", "eval"}) {
        INFO(command);
        auto c = run(std::string(command) + " --help");
        CHECK(c.exit_code == 0);
        CHECK(c.out.find("--cv-out FILE") != std::string::npos);
    }
}

TEST_CASE("check --format json follows the version 1 contract") {
    auto r = run("check --no-probe --format json " + example("binary_softmax.py"));
    REQUIRE(r.exit_code == 1); // the example has a fault of severity warning or error
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["version"] == 1);
    REQUIRE(j["files"].is_array());
    REQUIRE(j["files"].size() == 1);
    const auto& file = j["files"][0];
    CHECK(file["path"].get<std::string>().find("binary_softmax.py") != std::string::npos);
    REQUIRE(file["probe"].is_object());
    CHECK(file["probe"]["status"] == "skipped");
    CHECK(file["probe"]["reason"].is_string());
    CHECK(file["probe"]["seconds"].is_number());
    REQUIRE(file["diagnostics"].is_array());
    REQUIRE(!file["diagnostics"].empty());
    bool act_on_last_layer = false;
    for (const auto& d : file["diagnostics"]) {
        REQUIRE(d["range"].is_object());
        CHECK(is_position(d["range"]["start"]));
        CHECK(is_position(d["range"]["end"]));
        CHECK(d["source"] == "faultline");
        CHECK(d["code"].is_string());
        CHECK(d["message"].is_string());
        CHECK(d["severity"].get<int>() >= 1);
        CHECK(d["severity"].get<int>() <= 4);
        CHECK(d["data"]["fault"].is_string());
        double c = d["data"]["confidence"].get<double>();
        CHECK(c >= 0.0);
        CHECK(c <= 1.0);
        // The example's last layer (0-based line 15) sets softmax on one unit.
        if (d["data"]["fault"] == "act" && d["range"]["start"]["line"] == 15) act_on_last_layer = true;
    }
    CHECK(act_on_last_layer);
}

TEST_CASE("check --format sarif is SARIF 2.1.0 with 1-based regions") {
    auto r = run("check --no-probe --format sarif " + example("binary_softmax.py"));
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["version"] == "2.1.0");
    REQUIRE(j["runs"].size() == 1);
    const auto& run0 = j["runs"][0];
    CHECK(run0["tool"]["driver"]["name"] == "faultline");
    REQUIRE(!run0["results"].empty());
    for (const auto& res : run0["results"]) {
        CHECK(res["ruleId"].is_string());
        const auto& region = res["locations"][0]["physicalLocation"]["region"];
        CHECK(region["startLine"].get<int>() >= 1);
        CHECK(region["startColumn"].get<int>() >= 1);
    }
}

TEST_CASE("check text output names file, line and rule") {
    auto r = run("check --no-probe " + example("binary_softmax.py"));
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("binary_softmax.py:16:") != std::string::npos);
}

TEST_CASE("check --fix --diff prints a unified diff and leaves the file alone") {
    auto r = run("check --no-probe --fix --diff " + example("binary_softmax.py"));
    CHECK(r.out.rfind("--- a/", 0) == 0);
    CHECK(r.out.find("\n-model.add(Dense(1, activation='softmax'))") != std::string::npos);
    CHECK(r.out.find("\n+model.add(Dense(1, activation='sigmoid'))") != std::string::npos);
}

TEST_CASE("check --fix --diff on an absolute path shows it under a/ and b/ with one slash, as git does") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("faultline-diff-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path script = dir / "train.py";
    fs::copy_file(example("binary_softmax.py"), script, fs::copy_options::overwrite_existing);
    REQUIRE(script.is_absolute());
    auto r = run("check --no-probe --fix --diff " + script.string());
    const std::string shown = script.string().substr(1);
    CHECK(r.out.rfind("--- a/" + shown + "\n+++ b/" + shown + "\n", 0) == 0);
    CHECK(r.out.find("//") == std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("eval reports a malformed truth.json in one line and exits 2") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("faultline-eval-" + std::to_string(::getpid()));
    fs::create_directories(dir / "s1");
    std::ofstream(dir / "s1" / "buggy.py") << "x = 1\n";
    std::ofstream(dir / "s1" / "truth.json") << "{\"fault_types\": 3}";
    CHECK(run("eval --no-probe " + dir.string()).exit_code == 2);
    fs::remove_all(dir);
}

TEST_CASE("check reports what-if findings, and --no-whatif turns them off") {
    const std::string script = std::string(FAULTLINE_FIXTURES) + "/whatif/slow_rmsprop_line.py";
    auto codes = [](const std::string& out) {
        std::vector<std::string> found;
        const auto doc = nlohmann::json::parse(out);
        for (const auto& d : doc["files"][0]["diagnostics"])
            found.push_back(d["code"].get<std::string>());
        return found;
    };
    auto has_whatif = [](const std::vector<std::string>& found) {
        return std::any_of(found.begin(), found.end(),
                           [](const std::string& c) { return c.rfind("FL30", 0) == 0; });
    };
    // A generous budget: the what-if's deadline is wall time and CI machines are loaded.
    auto with = run("check --format json --budget 30 " + script);
    REQUIRE(with.exit_code == 1);
    CHECK(has_whatif(codes(with.out)));
    auto without = run("check --format json --budget 30 --no-whatif " + script);
    CHECK_FALSE(has_whatif(codes(without.out)));
}
