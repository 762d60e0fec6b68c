// What the parser assumed (a shape-preserving layer, units known only at run time) is what the probe builds.
#include "faultline/engine/probe.h"
#include "probe/network.h"
#include "probe/shapes.h"
#include "programs.h"

#include <catch2/catch.hpp>

using namespace probe_test;
using faultline::ProbeOptions;
using faultline::ProbeResult;
using faultline::ProbeStatus;
using faultline::run_probe;
using faultline::probe::Network;
using faultline::probe::NetworkPlan;
using faultline::probe::plan_network;
using faultline::probe::Shape;

CATCH_TEST_CASE("an assumed shape-preserving layer passes its input through", "[network][assumed]") {
    TrainingProgram p = keras_program({dense(8, "relu", {4}), layer("Identity"), dense(3, "softmax")},
                                      "categorical_crossentropy", "adam", 0.001);
    NetworkPlan plan = plan_network(p);
    CATCH_REQUIRE_FALSE(plan.problem.has_value());
    CATCH_CHECK(plan.layers[1].out == Shape{8});
    torch::manual_seed(0);
    Network net(p, plan);
    torch::Tensor x = torch::rand({2, 4});
    CATCH_CHECK(net.forward(x).sizes() == torch::IntArrayRef{2, 3});
}

CATCH_TEST_CASE("PyTorch sizes declared after an assumed layer are not checked against it",
                "[network][assumed]") {
    // The real module may widen its input; Linear(16, 2) after it is rebuilt on what arrives.
    Layer linear = with_param(dense(2, "linear"), "in_features", 16);
    TrainingProgram p = keras_program({dense(8, "relu", {4}), layer("Identity"), linear},
                                      "categorical_crossentropy", "adam", 0.001);
    p.framework = Framework::PyTorch;
    NetworkPlan plan = plan_network(p);
    CATCH_REQUIRE_FALSE(plan.problem.has_value());
    CATCH_CHECK(plan.output() == Shape{2});
    // Without the assumed layer the same declaration is a shape fault.
    TrainingProgram direct =
        keras_program({dense(8, "relu", {4}), linear}, "categorical_crossentropy", "adam", 0.001);
    direct.framework = Framework::PyTorch;
    NetworkPlan faulty = plan_network(direct);
    CATCH_REQUIRE(faulty.problem.has_value());
    CATCH_CHECK(faulty.problem->is_fault);
}

CATCH_TEST_CASE("units the parser could only assume are the units the probe trains", "[probe][assumed]") {
    TrainingProgram p = mnist_mlp();
    p.layers[0].units = Value<int64_t>{};
    p.layers[0].units.note = "`len(vocab)`: length not known";
    // Unknown and not assumed: the probe cannot size the layer.
    ProbeResult skipped = run_probe(p, ProbeOptions{});
    CATCH_CHECK(skipped.trace.status == ProbeStatus::Skipped);
    p.layers[0].units.assumed = 128;
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_INFO(r.trace.reason);
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.parameters == 784 * 128 + 128 + 128 * 10 + 10);
}

CATCH_TEST_CASE("RepeatVector repeats a vector along a new time axis", "[network]") {
    TrainingProgram p = keras_program({dense(8, "relu", {4}), with_param(layer("RepeatVector"), "repeats", 5),
                                       recurrent("LSTM", 6, true)},
                                      "mean_squared_error", "adam", 0.001);
    NetworkPlan plan = plan_network(p);
    CATCH_REQUIRE_FALSE(plan.problem.has_value());
    CATCH_CHECK(plan.layers[1].out == Shape{5, 8});
    torch::manual_seed(0);
    Network net(p, plan);
    torch::Tensor x = torch::rand({2, 4});
    CATCH_CHECK(net.forward(x).sizes() == torch::IntArrayRef{2, 5, 6});
}

CATCH_TEST_CASE("a shape error after an assumption is a skip, not a finding", "[network][assumed]") {
    TrainingProgram p = keras_program({dense(8, "relu", {4}), layer("Identity"), layer("MaxPooling2D")},
                                      "categorical_crossentropy", "adam", 0.001);
    NetworkPlan plan = plan_network(p);
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK_FALSE(plan.problem->is_fault);
    // The same layers without the assumed one: the text proves the fault.
    TrainingProgram direct =
        keras_program({dense(8, "relu", {4}), layer("MaxPooling2D")}, "categorical_crossentropy", "adam", 0.001);
    NetworkPlan faulty = plan_network(direct);
    CATCH_REQUIRE(faulty.problem.has_value());
    CATCH_CHECK(faulty.problem->is_fault);
}
