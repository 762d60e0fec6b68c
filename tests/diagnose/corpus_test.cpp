#include "faultline/engine/train.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace faultline;
using namespace faultline::corpus;

TEST_CASE("base programs are deterministic for a seed and span the shapes") {
    std::set<std::string> kinds;
    for (int64_t i = 0; i < 200; ++i) {
        const auto a = make_base(1, i), b = make_base(1, i);
        REQUIRE(render(a) == render(b));
        kinds.insert(std::string(a.flavour == Flavour::Keras ? "keras-" : "pytorch-") +
                     (a.shape == Shape::Mlp   ? "mlp"
                      : a.shape == Shape::Cnn ? "cnn"
                                              : "rnn") +
                     "-" +
                     (a.task == Task::Binary       ? "binary"
                      : a.task == Task::Multiclass ? "multiclass"
                                                   : "regression"));
    }
    for (const char* k :
         {"keras-mlp-binary", "keras-mlp-multiclass", "keras-mlp-regression", "keras-cnn-multiclass",
          "keras-rnn-binary", "keras-rnn-multiclass", "pytorch-mlp-multiclass", "pytorch-cnn-multiclass"})
        CHECK(kinds.count(k) == 1);
    CHECK(render(make_base(1, 0)) != render(make_base(2, 0)));
}

TEST_CASE("the corpus plan is each base followed by its mutants") {
    const auto plan = plan_corpus(5, 30, 8);
    REQUIRE(plan.size() == 30);
    CHECK(plan[0].seeded.empty());
    CHECK(plan[1].id == plan[0].id + "-m1");
    CHECK(plan[9].seeded.empty());
    CHECK(plan[9].id != plan[0].id);
}

TEST_CASE("resume reads the programs already recorded and ignores a cut-off line") {
    const auto dir = std::filesystem::temp_directory_path() / "faultline-resume-test";
    std::filesystem::create_directories(dir);
    const auto file = (dir / "programs.jsonl").string();
    {
        std::ofstream out(file, std::ios::trunc);
        out << R"({"id":"b00000","status":"ok","source":"x = 1\n","probe_options":{"max_steps":160}})"
            << "\n";
        out << R"({"id":"b00000-m1","status":"failed"})"
            << "\n";
        out << R"({"id":"b00000-m2","sta)"; // interrupted mid-write
    }
    const auto recorded = recorded_programs(file);
    REQUIRE(recorded.size() == 2);
    CHECK(recorded[0].id == "b00000");
    CHECK(recorded[0].source == "x = 1\n");
    CHECK(recorded[0].probe_options == R"({"max_steps":160})");
    CHECK(recorded[1].id == "b00000-m1");
    CHECK(recorded[1].source.empty());
    CHECK(recorded[1].probe_options.empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("resume probes what is missing and what the generator now writes differently") {
    const auto plan = plan_corpus(5, 5, 8);
    REQUIRE(plan.size() == 5);
    std::vector<RecordedProgram> recorded = {
        {plan[0].id, render(plan[0]), "{}"},        // up to date
        {plan[4].id, "", "{}"},                     // no source to compare: counts as done
        {plan[1].id, "an older rendering\n", "{}"}, // stale
        {plan[2].id, "an older rendering\n", "{}"}, // stale, but a later line of the same id is up to date
        {plan[2].id, render(plan[2]), "{}"},
    };
    size_t stale = 0;
    const auto todo = programs_to_probe(plan, recorded, "{}", &stale);
    REQUIRE(todo.size() == 2);
    CHECK(todo[0]->id == plan[1].id);
    CHECK(todo[1]->id == plan[3].id); // never recorded
    CHECK(stale == 1);
    CHECK(programs_to_probe(plan, {}, "{}", &stale).size() == 5);
    CHECK(stale == 0);
}

TEST_CASE("resume probes again what was probed with other probe options") {
    const auto plan = plan_corpus(5, 4, 8);
    REQUIRE(plan.size() == 4);
    const std::string now = R"({"max_steps":160})", before = R"({"max_steps":600})";
    const std::vector<RecordedProgram> recorded = {
        {plan[0].id, render(plan[0]), now},
        {plan[1].id, render(plan[1]), before}, // the options changed since
        {plan[2].id, render(plan[2]), ""},     // recorded before options were: counts as done
        {plan[3].id, render(plan[3]), before}, // changed, then probed again with today's options
        {plan[3].id, render(plan[3]), now},
    };
    size_t stale = 0;
    const auto todo = programs_to_probe(plan, recorded, now, &stale);
    REQUIRE(todo.size() == 1);
    CHECK(todo[0]->id == plan[1].id);
    CHECK(stale == 1);
}

TEST_CASE("generated Keras source parses back to the intended settings") {
    int checked = 0;
    for (const auto& c : plan_corpus(3, 120, 8)) {
        if (c.flavour != Flavour::Keras) continue;
        INFO(c.id << "\n" << render(c));
        const TrainingProgram p = parse_program(render(c));
        REQUIRE(p.framework != Framework::Unknown);
        CHECK(p.loss.name.value_or("") == c.loss);
        CHECK(p.optimizer.name.value_or("") == c.optimizer);
        if (c.optimizer_as_string) {
            CHECK(p.optimizer.written_as_string);
            CHECK(p.optimizer.lr.kind != OriginKind::Literal);
        } else {
            REQUIRE(p.optimizer.lr.known());
            CHECK(*p.optimizer.lr == Approx(c.lr).epsilon(0.01));
        }
        CHECK(p.epochs.value_or(-1) == c.epochs);
        CHECK(p.batch_size.value_or(-1) == c.batch_size);
        // Every hidden layer and the output layer, in order, each followed by its Activation layer when the
        // program writes them separately.
        std::vector<std::pair<std::string, std::string>> expected; // kind, activation
        for (const auto& l : c.hidden) {
            expected.push_back({l.kind, c.separate_activations ? "" : l.activation});
            if (c.separate_activations && !l.activation.empty())
                expected.push_back({"Activation", l.activation});
        }
        expected.push_back({"Dense", c.separate_activations ? "" : c.output_activation});
        if (c.separate_activations) expected.push_back({"Activation", c.output_activation});
        REQUIRE(p.layers.size() == expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
            CHECK(p.layers[i].kind == expected[i].first);
            if (!expected[i].second.empty())
                CHECK(p.layers[i].activation.value_or("linear") == expected[i].second);
        }
        if (!c.kernel_initializer.empty())
            for (const auto& l : p.layers)
                if (l.kind == "Dense" || l.kind == "Conv2D")
                    CHECK(l.kernel_initializer.value_or("") == c.kernel_initializer);
        if (c.dataset == "mnist" || c.dataset == "cifar10")
            CHECK(p.data.scaled.value_or(!c.scaled) == c.scaled);
        ++checked;
    }
    CHECK(checked > 50);
}
