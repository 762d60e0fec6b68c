// End-to-end probes of hand-built programs: what a correct program learns and what faulty ones show.
#include "faultline/engine/probe.h"
#include "programs.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>

using namespace probe_test;
using faultline::ProbeOptions;
using faultline::ProbeResult;
using faultline::ProbeStatus;
using faultline::run_probe;

namespace {

int any_flag(const ProbeResult& r, const std::string& name) {
    auto it = r.trace.flags.find(name);
    if (it == r.trace.flags.end()) return 0;
    return *std::max_element(it->second.begin(), it->second.end());
}

double first(const ProbeResult& r, const std::string& name) {
    return r.trace.series.at(name).front();
}

} // namespace

CATCH_TEST_CASE("a correct MNIST-shaped MLP learns well above chance", "[probe]") {
    ProbeResult r = run_probe(mnist_mlp(), ProbeOptions{});
    CATCH_INFO(r.trace.reason);
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.build_findings.empty());
    CATCH_CHECK(r.trace.simulated_epochs == 5);
    CATCH_CHECK(r.trace.epoch_scale == 1.0);
    CATCH_CHECK(r.trace.final_value("val_acc") > 0.8); // chance is 0.1
    CATCH_CHECK(r.trace.final_value("train_loss") < first(r, "train_loss"));
    CATCH_CHECK(r.trace.series.at("train_loss").size() == 5);
    CATCH_CHECK(any_flag(r, "nan_loss") == 0);
    CATCH_CHECK(r.trace.parameters == 784 * 64 + 64 + 64 * 10 + 10);
}

CATCH_TEST_CASE("SGD with learning rate 10 diverges or explodes", "[probe]") {
    // A regression MLP: the loss runs off to Inf/NaN.
    TrainingProgram reg =
        keras_program({dense(32, "relu", {13}), dense(1)}, "mean_squared_error", "sgd", 10.0, 5);
    reg.data.labels = LabelFormat::Real;
    ProbeResult r = run_probe(reg, ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.diverged);
    CATCH_CHECK(any_flag(r, "nan_loss") == 1);
    CATCH_CHECK(r.trace.simulated_epochs < 5); // stopped after the epoch that diverged

    // A softmax classifier: the first steps throw the weights far (Keras' clipped cross-entropy then has no
    // gradient left), the ReLUs die and the loss sticks near -log(1e-7), the symptom such scripts report.
    ProbeResult c = run_probe(mnist_mlp("categorical_crossentropy", "sgd", 10.0), ProbeOptions{});
    CATCH_REQUIRE(c.trace.status == ProbeStatus::Ok);
    bool blown = c.trace.diverged || any_flag(c, "exploding_grad") || any_flag(c, "large_weight") ||
                 (any_flag(c, "dying_relu") && c.trace.series.at("weight_change").front() > 1.0);
    CATCH_CHECK(blown);
    CATCH_CHECK(c.trace.final_value("val_acc") < 0.5);
    CATCH_CHECK(c.trace.final_value("train_loss") > 10.0);
}

CATCH_TEST_CASE("learning rate 1e-10 leaves the weights unchanged", "[probe]") {
    ProbeResult r = run_probe(mnist_mlp("categorical_crossentropy", "sgd", 1e-10), ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    for (double change : r.trace.series.at("weight_change"))
        CATCH_CHECK(change < 1e-6);
    CATCH_CHECK(any_flag(r, "unchanged_weight") == 1);
    CATCH_CHECK(r.trace.final_value("val_acc") < 0.3);
}

CATCH_TEST_CASE("softmax on a one-unit output predicts a constant", "[probe]") {
    TrainingProgram p = keras_program({dense(16, "relu", {8}), dense(1, "softmax")}, "binary_crossentropy",
                                      "adam", 0.001, 10);
    p.data.labels = LabelFormat::Binary;
    p.data.num_samples = lit(int64_t{1000});
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.final_value("output_std") == 0.0);
    CATCH_CHECK(any_flag(r, "constant_output") == 1);
    CATCH_CHECK(r.trace.final_value("val_acc") < 0.65);

    // The same network with sigmoid learns.
    p.layers.back().activation = lit(std::string("sigmoid"));
    ProbeResult fixed = run_probe(p, ProbeOptions{});
    CATCH_CHECK(fixed.trace.final_value("val_acc") > 0.85);
}

CATCH_TEST_CASE("the same seed gives the same trace", "[probe]") {
    TrainingProgram p = mnist_mlp();
    p.layers.insert(p.layers.begin() + 1, with_param(layer("Dropout"), "rate", 0.3));
    ProbeResult a = run_probe(p, ProbeOptions{});
    ProbeResult b = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(a.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(a.trace.series == b.trace.series);
    CATCH_CHECK(a.trace.flags == b.trace.flags);
    ProbeOptions other;
    other.seed = 7;
    ProbeResult c = run_probe(p, other);
    CATCH_CHECK(c.trace.series.at("train_loss") != a.trace.series.at("train_loss"));
}

CATCH_TEST_CASE("probes running at once give the traces each gives alone", "[probe]") {
    // Fix validation and the what-if diagnosis run two probes in one process; torch's global generator must
    // not leak between them (initialization is seeded under a lock, dropout has per-probe generators).
    TrainingProgram p = mnist_mlp();
    p.layers.insert(p.layers.begin() + 1, with_param(layer("Dropout"), "rate", 0.3));
    ProbeOptions first;
    first.threads = 1;
    ProbeOptions second = first;
    second.seed = 7;
    const faultline::Trace alone_first = run_probe(p, first).trace;
    const faultline::Trace alone_second = run_probe(p, second).trace;
    CATCH_REQUIRE(alone_first.status == ProbeStatus::Ok);
    for (int round = 0; round < 3; ++round) {
        faultline::Trace together_first, together_second;
        std::thread other([&] { together_second = run_probe(p, second).trace; });
        together_first = run_probe(p, first).trace;
        other.join();
        CATCH_CHECK(together_first.series == alone_first.series);
        CATCH_CHECK(together_second.series == alone_second.series);
    }
}
