// `faultline check` on folders: which files a walk reads, the order of the output, the summary line, and a
// missing path among readable ones.
#include "run_cli.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// tests/fixtures/cli/project copied to a fresh folder, with its dot-gitignore installed as .gitignore and a
// __pycache__ beside the scripts (neither belongs in the repository itself).
struct Project {
    fs::path root;
    Project() {
        root = fs::temp_directory_path() / ("faultline-project-" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::copy(std::string(FAULTLINE_FIXTURES) + "/cli/project", root, fs::copy_options::recursive);
        fs::rename(root / "dot-gitignore", root / ".gitignore");
        fs::create_directories(root / "__pycache__");
        fs::copy_file(root / "nets" / "scratch_experiment.py", root / "__pycache__" / "cached.py");
    }
    ~Project() { fs::remove_all(root); }
    std::string path(const std::string& relative) const { return (root / relative).string(); }
};

std::vector<std::string> checked_paths(const std::string& json_out) {
    std::vector<std::string> paths;
    const auto doc = nlohmann::json::parse(json_out);
    for (const auto& f : doc["files"])
        paths.push_back(f["path"].get<std::string>());
    return paths;
}

} // namespace

TEST_CASE(
    "check on a folder reads its *.py files in sorted order, leaving out hidden, cached and ignored ones") {
    Project project;
    auto r = faultline::test::run_cli("check --no-probe --format json " + project.root.string());
    CHECK(r.exit_code == 1); // train.py's softmax over one unit
    const std::vector<std::string> expected = {project.path("nets/regressor.py"),
                                               project.path("nets/scratch_experiment.py"),
                                               project.path("train.py")};
    CHECK(checked_paths(r.out) == expected);

    auto excluded = faultline::test::run_cli("check --no-probe --format json --exclude 'scratch_*' " +
                                             project.root.string());
    CHECK(checked_paths(excluded.out) ==
          std::vector<std::string>{project.path("nets/regressor.py"), project.path("train.py")});
}

TEST_CASE("a file named on the command line is checked even where a walk would leave it out") {
    Project project;
    auto r = faultline::test::run_cli("check --no-probe --format json --exclude 'scratch_*' " +
                                      project.path("nets/scratch_experiment.py"));
    CHECK(checked_paths(r.out) == std::vector<std::string>{project.path("nets/scratch_experiment.py")});
}

TEST_CASE("the output order does not depend on the number of jobs") {
    Project project;
    auto one = faultline::test::run_cli("check --no-probe --jobs 1 " + project.root.string());
    auto three = faultline::test::run_cli("check --no-probe --jobs 3 " + project.root.string());
    CHECK(one.exit_code == 1);
    CHECK(three.exit_code == 1);
    CHECK_FALSE(one.out.empty());
    CHECK(one.out == three.out);
    CHECK(faultline::test::run_cli("check --jobs 0 " + project.root.string()).exit_code == 2);
    CHECK(faultline::test::run_cli("check --jobs two " + project.root.string()).exit_code == 2);
}

TEST_CASE("text output ends with one summary line on stderr") {
    Project project;
    auto r = faultline::test::run_cli("check --no-probe " + project.root.string(), /*keep_stderr=*/true);
    INFO(r.err);
    // train.py: FL111 (error); scratch_experiment.py: relu on a classifier's output (error).
    const std::regex summary(
        R"(^checked 3 files: ([0-9]+) errors?, ([0-9]+) warnings?, [0-9]+ info, [0-9]+ hints?; )"
        R"(probes 0 ok, 3 skipped, 0 failed; [0-9.]+ s\n$)");
    std::smatch m;
    REQUIRE(std::regex_search(r.err, m, summary));
    CHECK(std::stoi(m[1]) >= 2);
    // JSON is for tools: nothing but the document, no summary.
    auto json = faultline::test::run_cli("check --no-probe --format json " + project.root.string(), true);
    CHECK(json.err.empty());
}

TEST_CASE("a missing path among readable ones: the readable are reported, the missing named, exit code 2") {
    Project project;
    auto r = faultline::test::run_cli("check --no-probe --format json " + project.path("train.py") + " " +
                                          project.path("no_such_script.py") + " " + project.path("nets"),
                                      /*keep_stderr=*/true);
    CHECK(r.exit_code == 2);
    CHECK(checked_paths(r.out) == std::vector<std::string>{project.path("train.py"),
                                                           project.path("nets/regressor.py"),
                                                           project.path("nets/scratch_experiment.py")});
    CHECK(r.err.find("no_such_script.py") != std::string::npos);
}
