// `faultline train` building a small corpus for real: bases and single faults are probed first, each
// multi-fault slot then becomes a composition of single faults measured faulty (or a line saying it could not
// be composed), and a second run finds nothing left to probe.
#include "faultline/engine/train.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

using namespace faultline;
using namespace faultline::corpus;
using json = nlohmann::json;

namespace {

// Two bases and their mutants, drawn so that both rounds have work (checked below).
const std::string kGenerateSeed = "1";
const std::string kGenerateSize = "26";

std::vector<json> lines_of(const std::filesystem::path& file) {
    std::vector<json> out;
    std::ifstream in(file);
    std::string text;
    while (std::getline(in, text))
        out.push_back(json::parse(text));
    return out;
}

} // namespace

TEST_CASE("train probes single faults first and composes multi-fault mutants from the faulty ones") {
    const auto dir = std::filesystem::temp_directory_path() / "faultline-corpus-generate-test";
    std::filesystem::remove_all(dir);
    const std::vector<std::string> args = {"--corpus", dir.string(),  "--seed", kGenerateSeed,
                                           "--size",   kGenerateSize, "--jobs", "2"};
    // So few programs train no classifier, and the command says so with exit code 2; the corpus is what is
    // checked here.
    CHECK(run_train(args) == 2);
    const auto corpus_file = dir / "programs.jsonl";
    const auto first = lines_of(corpus_file);

    const auto plan = plan_corpus(std::stoull(kGenerateSeed), std::stoll(kGenerateSize), kMutantsPerBase);
    std::map<std::string, json> last;
    for (const auto& line : first)
        last[line["id"].get<std::string>()] = line;
    REQUIRE(last.size() == plan.size());

    // The labels of the probed programs, as training reads them.
    const auto labels_file = dir / "labels.jsonl";
    REQUIRE(run_train(
                {"--corpus", dir.string(), "--seed", kGenerateSeed, "--labels", labels_file.string()}) == 0);
    std::map<std::string, std::set<std::string>> labels;
    for (const auto& j : lines_of(labels_file))
        labels[j["id"].get<std::string>()] = j["labels"].get<std::set<std::string>>();

    size_t composed = 0, not_composed = 0;
    for (const auto& c : plan) {
        INFO(c.id);
        const json& line = last.at(c.id);
        if (!is_multi_fault(c)) {
            CHECK(line["source"] == render(c));
            continue;
        }
        if (line["status"] == "not_composed") {
            ++not_composed;
            continue;
        }
        ++composed;
        const auto mutations = line["mutations"].get<std::vector<std::string>>();
        CHECK(mutations.size() >= 2);
        // Every fault of the composition is a single-fault mutant of the same base that was measured faulty.
        const std::string base = c.id.substr(0, c.id.find('-'));
        for (const auto& m : mutations) {
            bool found = false;
            for (const auto& s : plan)
                if (s.id.rfind(base + "-", 0) == 0 && !is_multi_fault(s) && s.mutations.size() == 1 &&
                    s.mutations[0] == m && labels.count(s.id) && !labels.at(s.id).empty())
                    found = true;
            CHECK(found);
        }
    }
    CHECK(composed >= 1);
    CHECK(composed + not_composed > 1);

    // Resumed: everything is recorded, so nothing is probed or marked again.
    CHECK(run_train(args) == 2);
    CHECK(lines_of(corpus_file).size() == first.size());
    std::filesystem::remove_all(dir);
}
