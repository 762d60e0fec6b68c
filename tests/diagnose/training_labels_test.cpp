// How `faultline train` labels a corpus: a mutant measurably worse than its base is faulty for every type
// seeded into it, types come from its mutation lines, and a base the probe learned nothing from is dropped
// with its mutants. Runs the real command on a hand-written corpus file whose per-seed outcomes the test
// chooses.
#include "corpus_configs.h"
#include "faultline/engine/train.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

using namespace faultline;
using namespace faultline::corpus;
using json = nlohmann::json;

namespace {

using testing::mnist_mlp;

// One corpus line: the program's source and one trace per seed ending at the given validation accuracies.
json line_for(const ProgramConfig& c, const std::vector<double>& accuracies) {
    json seeded = json::array();
    for (Fault f : c.seeded)
        seeded.push_back(to_string(f));
    json traces = json::array();
    for (double a : accuracies)
        traces.push_back(
            {{"status", "ok"}, {"series", {{"val_acc", {a * 0.5, a}}, {"train_loss", {2.0, 1.0}}}}});
    return {{"id", c.id},
            {"base", c.id.substr(0, c.id.find('-'))},
            {"task", "multiclass"},
            {"flavour", "keras"},
            {"mutations", c.mutations},
            {"seeded", seeded},
            {"source", render(c)},
            {"status", "ok"},
            {"traces", traces}};
}

ProgramConfig mutant_of(const ProgramConfig& base, const std::string& suffix, std::vector<Operator> ops) {
    ProgramConfig m = base;
    m.id = base.id + suffix;
    std::mt19937_64 rng(7);
    for (Operator op : ops)
        REQUIRE(apply(op, m, rng));
    return m;
}

} // namespace

TEST_CASE("labels: seeded types of measurably worse mutants; unlearned bases drop out") {
    const auto dir = std::filesystem::temp_directory_path() / "faultline-training-labels-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::vector<double> good = {0.95, 0.96, 0.94}, bad = {0.10, 0.12, 0.11};

    const ProgramConfig base = mnist_mlp("b00001");
    const ProgramConfig m1 = mutant_of(base, "-m1", {Operator::LrTiny, Operator::OptimizerSwap});
    const ProgramConfig m2 = mutant_of(base, "-m2", {Operator::HiddenActivation});
    const ProgramConfig m3 = mutant_of(base, "-m3", {Operator::LastActivation});
    // A fault that changes nothing measurable, and one whose damage is inside the noise.
    const ProgramConfig m4 = mutant_of(base, "-m4", {Operator::BatchSize});
    const ProgramConfig m5 = mutant_of(base, "-m5", {Operator::EpochsFew});
    // A base the probe learned nothing from (chance is 0.10 for ten classes) and its mutant.
    const ProgramConfig unlearned = mnist_mlp("b00002");
    const ProgramConfig u1 = mutant_of(unlearned, "-m1", {Operator::LossFamily});
    // A multi-fault mutant an older generator drew at random, since marked as a slot its base could not fill.
    const ProgramConfig m6 = mutant_of(base, "-m6", {Operator::WeightInit, Operator::LossFamily});
    {
        std::ofstream out(dir / "programs.jsonl");
        auto write = [&](const ProgramConfig& c, const std::vector<double>& acc) {
            out << line_for(c, acc).dump() << "\n";
        };
        write(base, good);
        write(m1, bad);
        // Stored as an older corpus did: the hidden-activation mutant's seeded name was `act`.
        json old = line_for(m2, bad);
        old["seeded"] = {"act"};
        out << old.dump() << "\n";
        write(m3, bad);
        write(m4, {0.95, 0.94, 0.96});
        write(m5, {0.93, 0.96, 0.92});
        write(unlearned, {0.12, 0.11, 0.13});
        write(u1, {0.02, 0.03, 0.01});
        write(m6, bad);
        out << json{{"id", m6.id}, {"base", base.id}, {"status", "not_composed"}}.dump() << "\n";
    }
    const auto labels_file = dir / "labels.jsonl";
    REQUIRE(run_train({"--corpus", dir.string(), "--labels", labels_file.string()}) == 0);

    std::map<std::string, std::set<std::string>> labels;
    std::ifstream in(labels_file);
    std::string text;
    while (std::getline(in, text)) {
        const auto j = json::parse(text);
        labels[j["id"].get<std::string>()] = j["labels"].get<std::set<std::string>>();
    }
    using S = std::set<std::string>;
    CHECK(labels.at("b00001") == S{});
    CHECK(labels.at("b00001-m1") == S{"lr", "opt"});
    CHECK(labels.at("b00001-m2") == S{"hidden_activation"});
    CHECK(labels.at("b00001-m3") == S{"act"});
    CHECK(labels.at("b00001-m4") == S{});
    CHECK(labels.at("b00001-m5") == S{});
    CHECK(labels.count("b00002") == 0);
    CHECK(labels.count("b00002-m1") == 0);
    CHECK(labels.count("b00001-m6") == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("train --cv-out scores every program once, out of fold, with its label") {
    const auto dir = std::filesystem::temp_directory_path() / "faultline-cv-out-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::vector<double> good = {0.95, 0.96, 0.94}, bad = {0.10, 0.12, 0.11};
    std::set<std::string> ids, faulty;
    {
        std::ofstream out(dir / "programs.jsonl");
        for (int b = 0; b < 40; ++b) {
            char id[16];
            std::snprintf(id, sizeof id, "b%05d", 10000 + b);
            const ProgramConfig base = mnist_mlp(id);
            const ProgramConfig tiny = mutant_of(base, "-m1", {Operator::LrTiny});
            const ProgramConfig harmless = mutant_of(base, "-m2", {Operator::BatchSize});
            out << line_for(base, good).dump() << "\n"
                << line_for(tiny, bad).dump() << "\n"
                << line_for(harmless, good).dump() << "\n";
            ids.insert({base.id, tiny.id, harmless.id});
            faulty.insert(tiny.id);
        }
    }
    const auto cv_file = dir / "cv.jsonl";
    REQUIRE(run_train({"--corpus", dir.string(), "--train-only", "--cv-out", cv_file.string(), "--out",
                       (dir / "model").string()}) == 0);

    std::set<std::string> scored;
    int caught = 0;
    std::ifstream in(cv_file);
    std::string text;
    while (std::getline(in, text)) {
        const auto j = json::parse(text);
        const std::string id = j["id"].get<std::string>();
        INFO(id);
        CHECK(scored.insert(id).second); // once each
        CHECK(j["fold"].get<int>() >= 0);
        CHECK(j["fold"].get<int>() < 5);
        REQUIRE(j["scores"].contains("lr"));
        const auto& lr = j["scores"]["lr"];
        CHECK(lr["label"].get<bool>() == (faulty.count(id) > 0));
        CHECK(lr["p"].get<double>() >= 0.0);
        CHECK(lr["p"].get<double>() <= 1.0);
        caught += lr["label"].get<bool>() && lr["p"].get<double>() >= lr["threshold"].get<double>();
        // Types without enough positives are not trained, so not scored.
        CHECK_FALSE(j["scores"].contains("loss"));
    }
    CHECK(scored == ids);
    // The rate is written in the program and the traces differ: most out-of-fold tiny rates are caught.
    CHECK(caught >= 30);
    // The manifest splits the same scores by kind of program; every mutant here has a single fault.
    std::ifstream manifest_in(dir / "model" / "manifest.json");
    const auto cv = json::parse(manifest_in)["cross_validation"];
    CHECK(cv["scores"]["lr"]["positives"].get<int>() == 40);
    CHECK(cv["scores_bases_and_single_fault"]["lr"]["positives"].get<int>() == 40);
    CHECK(cv["scores_bases_and_single_fault"]["lr"]["f1"] == cv["scores"]["lr"]["f1"]);
    CHECK(cv["scores_multi_fault"]["lr"]["positives"].get<int>() == 0);
    std::filesystem::remove_all(dir);
}
