// Rebuilt layers: shapes (planned and actual) and the statistics of their initial weights.
#include "probe/initializers.h"
#include "probe/network.h"
#include "probe/shapes.h"
#include "programs.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace probe_test;
using faultline::probe::LayerPlan;
using faultline::probe::Network;
using faultline::probe::NetworkPlan;
using faultline::probe::plan_network;
using faultline::probe::Shape;

namespace {

TrainingProgram with_layers(std::vector<Layer> layers, Framework fw = Framework::Keras) {
    TrainingProgram p = keras_program(std::move(layers), "categorical_crossentropy", "adam", 0.001);
    p.framework = fw;
    return p;
}

// Plans and builds, runs a batch of 3 through, and checks the output matches the plan.
Shape forward_shape(const TrainingProgram& p) {
    NetworkPlan plan = plan_network(p);
    CATCH_REQUIRE_FALSE(plan.problem.has_value());
    torch::manual_seed(0);
    Network net(p, plan);
    std::vector<int64_t> in{3};
    in.insert(in.end(), plan.input.begin(), plan.input.end());
    torch::Tensor x = plan.token_input ? torch::randint(0, 10, in) : torch::rand(in);
    torch::Tensor y = net.forward(x);
    Shape out(y.sizes().begin() + 1, y.sizes().end());
    CATCH_CHECK(out == plan.output());
    return out;
}

torch::Tensor first_kernel(const TrainingProgram& p) {
    NetworkPlan plan = plan_network(p);
    torch::manual_seed(0);
    Network net(p, plan);
    return net.kernels().front().second.detach().clone();
}

} // namespace

CATCH_TEST_CASE("convolution, pooling and flatten in Keras' channels-last layout", "[network]") {
    auto conv = conv2d(32, 3, "relu", {28, 28, 1});
    CATCH_CHECK(forward_shape(with_layers({conv})) == Shape{26, 26, 32});
    conv.padding = "same";
    CATCH_CHECK(forward_shape(with_layers({conv})) == Shape{28, 28, 32});
    auto strided = with_param(conv, "strides", 2);
    CATCH_CHECK(forward_shape(with_layers({strided})) == Shape{14, 14, 32});
    auto pool = layer("MaxPooling2D");
    CATCH_CHECK(forward_shape(with_layers(
                    {conv2d(8, 3, "relu", {28, 28, 1}), pool, layer("Flatten"), dense(10)})) == Shape{10});
    auto avg = with_param(layer("AveragePooling2D"), "pool_size", 3);
    avg.padding = "same";
    CATCH_CHECK(forward_shape(with_layers({conv2d(4, 3, "relu", {10, 10, 3}), avg})) == Shape{3, 3, 4});
    CATCH_CHECK(forward_shape(with_layers(
                    {conv2d(4, 3, "relu", {10, 10, 3}), layer("GlobalAveragePooling2D")})) == Shape{4});
    auto c1 = layer("Conv1D");
    c1.units = lit(int64_t{6});
    c1.params["kernel_size"] = lit(5.0);
    c1.input_shape = {20, 2};
    CATCH_CHECK(forward_shape(with_layers({c1, layer("GlobalMaxPooling1D")})) == Shape{6});
}

CATCH_TEST_CASE("PyTorch convolutions keep the channels-first layout", "[network]") {
    auto conv = conv2d(6, 5, "relu", {1, 28, 28});
    conv.params["in_channels"] = lit(1.0);
    CATCH_CHECK(forward_shape(with_layers({conv, layer("MaxPooling2D")}, Framework::PyTorch)) ==
                Shape{6, 12, 12});
}

CATCH_TEST_CASE("embeddings, recurrent layers and their wrappers", "[network]") {
    auto emb = with_param(layer("Embedding"), "input_dim", 10);
    emb.units = lit(int64_t{8});
    emb.input_shape = {12};
    CATCH_CHECK(forward_shape(with_layers({emb, recurrent("LSTM", 16)})) == Shape{16});
    CATCH_CHECK(forward_shape(with_layers({emb, recurrent("GRU", 16, true)})) == Shape{12, 16});
    CATCH_CHECK(forward_shape(with_layers({emb, recurrent("SimpleRNN", 5)})) == Shape{5});
    auto bi = layer("Bidirectional");
    bi.inner = {recurrent("LSTM", 7, true)};
    CATCH_CHECK(forward_shape(with_layers({emb, bi})) == Shape{12, 14});
    auto td = layer("TimeDistributed");
    td.inner = {dense(3, "softmax")};
    CATCH_CHECK(forward_shape(with_layers({emb, bi, td})) == Shape{12, 3});
    auto reshape = layer("Reshape");
    reshape.target_shape = {4, -1};
    CATCH_CHECK(forward_shape(with_layers({dense(8, "relu", {6}), reshape, recurrent("LSTM", 2)})) ==
                Shape{2});
}

CATCH_TEST_CASE("Keras Dense applies to the last axis of a 3-D input", "[network]") {
    CATCH_CHECK(forward_shape(with_layers({dense(5, "relu", {4, 7})})) == Shape{4, 5});
}

CATCH_TEST_CASE("activations and normalization keep the shape", "[network]") {
    CATCH_CHECK(
        forward_shape(with_layers({dense(6, "linear", {3}), layer("LeakyReLU"), layer("PReLU"), layer("ELU"),
                                   layer("BatchNormalization"), with_param(layer("Dropout"), "rate", 0.5),
                                   activation("softmax")})) == Shape{6});
    CATCH_CHECK(forward_shape(with_layers({conv2d(4, 3, "relu", {8, 8, 2}), layer("BatchNormalization")})) ==
                Shape{6, 6, 4});
}

CATCH_TEST_CASE("Keras Dense starts from glorot_uniform and zero bias", "[network]") {
    TrainingProgram p = with_layers({dense(200, "relu", {784})});
    NetworkPlan plan = plan_network(p);
    torch::manual_seed(0);
    Network net(p, plan);
    auto params = net.named_parameters();
    torch::Tensor w = params["layer0.linear.weight"], b = params["layer0.linear.bias"];
    double limit = std::sqrt(6.0 / (784 + 200));
    CATCH_CHECK(w.abs().max().item<double>() <= limit);
    CATCH_CHECK(w.std().item<double>() == Approx(limit / std::sqrt(3.0)).epsilon(0.02));
    CATCH_CHECK(b.abs().max().item<double>() == 0.0);
}

CATCH_TEST_CASE("PyTorch Linear keeps torch's own initialization", "[network]") {
    TrainingProgram p = with_layers({dense(200, "relu", {784})}, Framework::PyTorch);
    NetworkPlan plan = plan_network(p);
    torch::manual_seed(0);
    Network net(p, plan);
    auto params = net.named_parameters();
    double bound = 1.0 / std::sqrt(784.0);
    CATCH_CHECK(params["layer0.linear.weight"].abs().max().item<double>() <= bound);
    CATCH_CHECK(params["layer0.linear.weight"].std().item<double>() ==
                Approx(bound / std::sqrt(3.0)).epsilon(0.02));
    CATCH_CHECK(params["layer0.linear.bias"].abs().max().item<double>() > 0.0); // torch draws biases too
}

CATCH_TEST_CASE("named initializers and their settings are honoured", "[network]") {
    auto named = [](const std::string& name) {
        Layer l = dense(300, "relu", {500});
        l.kernel_initializer = lit(name);
        return l;
    };
    CATCH_CHECK(first_kernel(with_layers({named("zeros")})).abs().max().item<double>() == 0.0);
    CATCH_CHECK(first_kernel(with_layers({named("ones")})).min().item<double>() == 1.0);
    // Keras 1 'uniform' is U(-0.05, 0.05): std 0.05 / sqrt(3)
    torch::Tensor u = first_kernel(with_layers({named("uniform")}));
    CATCH_CHECK(u.abs().max().item<double>() <= 0.05);
    CATCH_CHECK(u.std().item<double>() == Approx(0.05 / std::sqrt(3.0)).epsilon(0.02));
    // random_normal with an explicit stddev
    torch::Tensor n = first_kernel(with_layers({with_param(named("random_normal"), "init_stddev", 0.5)}));
    CATCH_CHECK(n.std().item<double>() == Approx(0.5).epsilon(0.02));
    CATCH_CHECK(n.mean().item<double>() == Approx(0.0).margin(0.01));
    // he_normal: truncated normal whose std is sqrt(2 / fan_in) after truncation
    torch::Tensor h = first_kernel(with_layers({named("he_normal")}));
    CATCH_CHECK(h.std().item<double>() == Approx(std::sqrt(2.0 / 500)).epsilon(0.03));
    double trunc = 2 * std::sqrt(2.0 / 500) / 0.87962566103423978;
    CATCH_CHECK(h.abs().max().item<double>() <= trunc + 1e-6);
    // lecun_uniform: U(+-sqrt(3 / fan_in)); torch's spelling of glorot maps to glorot
    CATCH_CHECK(first_kernel(with_layers({named("lecun_uniform")})).abs().max().item<double>() <=
                std::sqrt(3.0 / 500));
    CATCH_CHECK(first_kernel(with_layers({named("xavier_uniform_")})).abs().max().item<double>() <=
                std::sqrt(6.0 / 800));
    CATCH_CHECK(faultline::probe::canonical_initializer("kaiming_normal_") == "he_normal");
}

CATCH_TEST_CASE("an unknown initializer falls back to the default with a note", "[network]") {
    Layer l = dense(10, "relu", {5});
    l.kernel_initializer = lit(std::string("my_custom_init"));
    TrainingProgram p = with_layers({l});
    NetworkPlan plan = plan_network(p);
    Network net(p, plan);
    CATCH_REQUIRE(net.notes().size() == 1);
    CATCH_CHECK(net.notes().front().find("my_custom_init") != std::string::npos);
}

CATCH_TEST_CASE("shape errors are found before building, at the offending layer", "[network]") {
    // A convolution fed flat vectors.
    auto plan = plan_network(with_layers({dense(64, "relu", {784}, 3), conv2d(8, 3, "relu", {}, 4)}));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK(plan.problem->is_fault);
    CATCH_CHECK(plan.problem->fault == faultline::Fault::tensor_shape);
    CATCH_CHECK(plan.problem->span.start.row == 4);
    CATCH_CHECK(plan.problem->message.find("Conv2D") != std::string::npos);

    // A kernel larger than the image.
    plan = plan_network(with_layers({conv2d(8, 7, "relu", {5, 5, 1}, 2)}));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK(plan.problem->span.start.row == 2);

    // A PyTorch Linear whose in_features disagree with what it receives.
    Layer second = with_param(dense(10, "linear", {}, 6), "in_features", 128);
    plan = plan_network(with_layers({dense(64, "relu", {784}, 5), second}, Framework::PyTorch));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK(plan.problem->span.start.row == 6);

    // An LSTM fed flat vectors.
    plan = plan_network(with_layers({dense(8, "relu", {4}), recurrent("LSTM", 4, false, 9)}));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK(plan.problem->span.start.row == 9);

    // A reshape that cannot hold the values.
    Layer reshape = layer("Reshape", 7);
    reshape.target_shape = {5, 5};
    plan = plan_network(with_layers({dense(8, "relu", {4}), reshape}));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK(plan.problem->span.start.row == 7);
}

CATCH_TEST_CASE("what the probe cannot rebuild is a skip, not a finding", "[network]") {
    auto plan = plan_network(with_layers({layer("Lambda")}));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK_FALSE(plan.problem->is_fault);
    plan = plan_network(with_layers({recurrent("LSTM", 4)}));
    CATCH_REQUIRE(plan.problem.has_value());
    CATCH_CHECK_FALSE(plan.problem->is_fault);
}

CATCH_TEST_CASE("a Dense model on a table of unknown width gets an assumed width", "[network]") {
    auto plan = plan_network(with_layers({dense(4, "relu"), dense(1, "sigmoid")}));
    CATCH_REQUIRE_FALSE(plan.problem.has_value());
    CATCH_CHECK(plan.assumed_input);
    CATCH_CHECK(plan.input.size() == 1);
    // The parser marks an unknown axis with -1.
    TrainingProgram p = with_layers({dense(4, "relu"), dense(1, "sigmoid")});
    p.data.input_shape = {-1};
    plan = plan_network(p);
    CATCH_REQUIRE_FALSE(plan.problem.has_value());
    CATCH_CHECK(plan.assumed_input);
}
