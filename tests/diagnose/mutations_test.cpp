#include "corpus_configs.h"
#include "faultline/engine/train.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace faultline;
using namespace faultline::corpus;

namespace {

using testing::mnist_mlp;

// Every field a mutation may touch, as text, so a test can say "only this one changed".
std::map<std::string, std::string> fields(const ProgramConfig& c) {
    std::string hidden;
    for (const auto& l : c.hidden)
        hidden += l.kind + ":" + std::to_string(l.units) + ":" + l.activation + ",";
    return {{"loss", c.loss},
            {"lr", c.optimizer_as_string ? std::string("default") : std::to_string(c.lr)},
            {"epochs", std::to_string(c.epochs)},
            {"optimizer", c.optimizer + (c.momentum > 0 ? "+momentum" : "")},
            {"output_activation", c.output_activation},
            {"hidden", hidden},
            {"batch_size", std::to_string(c.batch_size)},
            {"kernel_initializer", c.kernel_initializer},
            {"scaled", c.scaled ? "1" : "0"}};
}

std::set<std::string> changed(const ProgramConfig& a, const ProgramConfig& b) {
    std::set<std::string> out;
    const auto fa = fields(a), fb = fields(b);
    for (const auto& [k, v] : fa)
        if (fb.at(k) != v) out.insert(k);
    return out;
}

} // namespace

TEST_CASE("each mutation operator changes exactly its own setting") {
    const std::map<Operator, std::string> target = {{Operator::LossFamily, "loss"},
                                                    {Operator::LrHigh, "lr"},
                                                    {Operator::LrTiny, "lr"},
                                                    {Operator::LrMild, "lr"},
                                                    {Operator::EpochsDivide, "epochs"},
                                                    {Operator::EpochsFew, "epochs"},
                                                    {Operator::OptimizerSwap, "optimizer"},
                                                    {Operator::LastActivation, "output_activation"},
                                                    {Operator::HiddenActivation, "hidden"},
                                                    {Operator::BatchSize, "batch_size"},
                                                    {Operator::WeightInit, "kernel_initializer"},
                                                    {Operator::DropScaling, "scaled"}};
    REQUIRE(target.size() == all_operators().size());
    for (Operator op : all_operators()) {
        for (uint64_t seed = 0; seed < 20; ++seed) {
            std::mt19937_64 rng(seed);
            ProgramConfig before = mnist_mlp();
            // Half the runs on `compile(optimizer='sgd')`, whose rate is the optimizer's default.
            before.optimizer_as_string = seed % 2 == 1;
            ProgramConfig after = before;
            INFO(to_string(op) << " seed " << seed);
            REQUIRE(apply(op, after, rng));
            CHECK(changed(before, after) == std::set<std::string>{target.at(op)});
            CHECK(after.seeded == std::vector<Fault>{fault_of(op)});
            CHECK(after.mutations.size() == 1);
        }
    }
}

TEST_CASE("mutation operators stay within DeepFD's ranges") {
    for (uint64_t seed = 0; seed < 50; ++seed) {
        std::mt19937_64 rng(seed);
        ProgramConfig c = mnist_mlp();
        apply(Operator::LrHigh, c, rng);
        CHECK(c.lr >= 1.0);
        CHECK(c.lr <= 10.0);
        c = mnist_mlp();
        apply(Operator::LrTiny, c, rng);
        CHECK(c.lr <= 1e-10 * 1.0001);
        CHECK(c.lr >= 1e-16 * 0.9999);
        c = mnist_mlp();
        apply(Operator::EpochsDivide, c, rng);
        CHECK(c.epochs >= 1);
        CHECK(c.epochs <= 3); // 30 divided by 10..50
        c = mnist_mlp();
        apply(Operator::LossFamily, c, rng);
        CHECK((c.loss == "mean_squared_error" || c.loss == "mean_absolute_error"));
        c = mnist_mlp();
        apply(Operator::OptimizerSwap, c, rng);
        const std::set<std::string> optimizers = {"rmsprop", "adam", "adadelta", "adagrad"};
        CHECK(optimizers.count(c.optimizer) == 1);
    }
}

TEST_CASE("operators that do not apply leave the program alone") {
    std::mt19937_64 rng(3);
    ProgramConfig c = mnist_mlp();
    c.dataset = "random";
    const auto before = fields(c);
    CHECK_FALSE(apply(Operator::DropScaling, c, rng));
    CHECK(fields(c) == before);
    CHECK(c.seeded.empty());
}

TEST_CASE("mutants are deterministic and carry their seeded types") {
    const ProgramConfig base = make_base(7, 3);
    const auto a = make_mutants(base, 7, 8), b = make_mutants(base, 7, 8);
    REQUIRE(a.size() == 8);
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(render(a[i]) == render(b[i]));
        CHECK(!a[i].seeded.empty());
        CHECK(a[i].id == base.id + "-m" + std::to_string(i + 1));
        CHECK(a[i].mutations.size() >= a[i].seeded.size());
    }
}

TEST_CASE("no mutant both swaps the optimizer and changes its rate") {
    // Both rewrite the optimizer statement; the new rate would erase what the swap changed.
    int multi = 0, with_opt = 0, with_lr = 0;
    for (int64_t index = 0; index < 60; ++index)
        for (const auto& m : make_mutants(make_base(11, index), 11, 8)) {
            const bool opt = std::count(m.seeded.begin(), m.seeded.end(), Fault::opt) > 0;
            const bool lr = std::count(m.seeded.begin(), m.seeded.end(), Fault::lr) > 0;
            INFO(m.id);
            CHECK_FALSE((opt && lr));
            multi += m.seeded.size() > 1;
            with_opt += opt && m.seeded.size() > 1;
            with_lr += lr && m.seeded.size() > 1;
        }
    // Each still takes part in multi-fault mutants with the other types.
    CHECK(multi > 60);
    CHECK(with_opt > 5);
    CHECK(with_lr > 5);
}

TEST_CASE("a corpus line's fault types come from its mutation lines") {
    // The hidden-activation operator now seeds its own type; a line stored when it seeded `act` reads back
    // with the current type.
    CHECK(seeded_faults({"hidden_activation: hidden activations -> tanh", "lr_tiny: 0.01 -> 1e-12"},
                        {"act", "lr"}) == std::vector<Fault>{Fault::hidden_activation, Fault::lr});
    CHECK(seeded_faults({"last_activation: softmax -> relu"}, {"act"}) == std::vector<Fault>{Fault::act});
    // Without mutation lines the stored names are used.
    CHECK(seeded_faults({}, {"opt", "epoch"}) == std::vector<Fault>{Fault::opt, Fault::epoch});
    CHECK(fault_of(Operator::HiddenActivation) == Fault::hidden_activation);
    CHECK(fault_of(Operator::LastActivation) == Fault::act);
}

TEST_CASE("multi-fault mutants are composed from the base's measured single faults") {
    const auto plan = plan_corpus(11, 600, 8);
    std::map<std::string, const ProgramConfig*> by_id;
    size_t slots = 0;
    for (const auto& c : plan) {
        by_id[c.id] = &c;
        slots += is_multi_fault(c);
    }
    // Which singles "measured faulty" is the test's choice: every mutant whose number is odd.
    auto faulty = [](const std::string& id) { return (id.back() - '0') % 2 == 1; };
    const auto composition = compose_multi_faults(plan, faulty, 11);
    REQUIRE(slots > 40);
    CHECK(composition.composed.size() + composition.not_composed.size() == slots);
    CHECK(composition.composed.size() > 20);
    CHECK(composition.not_composed.size() > 0);

    std::map<std::string, std::set<std::set<std::string>>> combinations_of_base;
    for (const auto& m : composition.composed) {
        INFO(m.id);
        const ProgramConfig& slot = *by_id.at(m.id);
        const std::string base_id = m.id.substr(0, m.id.find('-'));
        const ProgramConfig& base = *by_id.at(base_id);
        REQUIRE(is_multi_fault(slot));
        CHECK(m.seeded.size() >= 2);
        CHECK(m.seeded.size() <= std::min<size_t>(slot.mutations.size(), 3));
        CHECK(m.mutations.size() == m.seeded.size()); // one single per type
        const bool opt = std::count(m.seeded.begin(), m.seeded.end(), Fault::opt) > 0;
        const bool lr = std::count(m.seeded.begin(), m.seeded.end(), Fault::lr) > 0;
        CHECK_FALSE((opt && lr));
        // Each mutation line is a faulty single of the same base, and the composition changed exactly the
        // settings those singles changed, to the same values.
        std::set<std::string> expected_changes;
        for (const auto& line : m.mutations) {
            const ProgramConfig* single = nullptr;
            for (const auto& c : plan)
                if (c.id.rfind(base_id + "-", 0) == 0 && !is_multi_fault(c) && c.mutations.size() == 1 &&
                    c.mutations[0] == line && faulty(c.id))
                    single = &c;
            REQUIRE(single != nullptr);
            for (const auto& field : changed(base, *single)) {
                expected_changes.insert(field);
                CHECK(fields(m).at(field) == fields(*single).at(field));
            }
        }
        CHECK(changed(base, m) == expected_changes);
        const std::set<std::string> lines(m.mutations.begin(), m.mutations.end());
        CHECK(combinations_of_base[base_id].insert(lines).second); // no combination taken twice
    }

    // Deterministic, and nothing is composed where no single fault was measured faulty.
    const auto again = compose_multi_faults(plan, faulty, 11);
    REQUIRE(again.composed.size() == composition.composed.size());
    for (size_t i = 0; i < again.composed.size(); ++i)
        CHECK(render(again.composed[i]) == render(composition.composed[i]));
    const auto none = compose_multi_faults(
        plan, [](const std::string&) { return false; }, 11);
    CHECK(none.composed.empty());
    CHECK(none.not_composed.size() == slots);
}
