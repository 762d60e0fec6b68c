// Optimizer steps against values worked out by hand from Keras' (and torch's) update rules.
#include "probe/optimizers.h"
#include "probe/task.h"
#include "programs.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace faultline::probe;
using faultline::Framework;

namespace {

// One scalar parameter starting at 1, stepped with the given gradients; returns its value after each step.
template <class Opt> std::vector<double> run(StepRuleOptions options, std::vector<double> grads) {
    torch::Tensor p = torch::ones({1}, torch::kDouble).requires_grad_(true);
    Opt opt({p}, options);
    std::vector<double> out;
    for (double g : grads) {
        p.mutable_grad() = torch::full({1}, g, torch::kDouble);
        opt.step();
        out.push_back(p.item<double>());
    }
    return out;
}

constexpr double kTol = 1e-9;

} // namespace

CATCH_TEST_CASE("Keras SGD: plain, momentum, Nesterov and time decay", "[optimizers]") {
    CATCH_CHECK(run<KerasSGD>(StepRuleOptions().lr(0.1), {1.0})[0] == Approx(0.9).margin(kTol));
    // v1 = -0.1, p1 = 0.9; v2 = 0.9 v1 - 0.1 = -0.19, p2 = 0.71
    auto m = run<KerasSGD>(StepRuleOptions().lr(0.1).momentum(0.9), {1.0, 1.0});
    CATCH_CHECK(m[0] == Approx(0.9).margin(kTol));
    CATCH_CHECK(m[1] == Approx(0.71).margin(kTol));
    // Nesterov: p1 = 1 + 0.9 (-0.1) - 0.1 = 0.81; p2 = 0.81 + 0.9 (-0.19) - 0.1 = 0.539
    auto n = run<KerasSGD>(StepRuleOptions().lr(0.1).momentum(0.9).nesterov(true), {1.0, 1.0});
    CATCH_CHECK(n[0] == Approx(0.81).margin(kTol));
    CATCH_CHECK(n[1] == Approx(0.539).margin(kTol));
    // lr / (1 + decay * iterations): 0.1, 0.05, 0.0333...
    auto d = run<KerasSGD>(StepRuleOptions().lr(0.1).decay(1.0), {1.0, 1.0, 1.0});
    CATCH_CHECK(d[0] == Approx(0.9).margin(kTol));
    CATCH_CHECK(d[1] == Approx(0.85).margin(kTol));
    CATCH_CHECK(d[2] == Approx(0.85 - 0.1 / 3).margin(kTol));
}

CATCH_TEST_CASE("Keras Adam adds epsilon after the bias-corrected step size", "[optimizers]") {
    auto p = run<KerasAdam>(StepRuleOptions().lr(0.001).eps(1e-7), {2.0, -1.0});
    // Step 1: m = 0.2, v = 0.004, lr_t = 0.001 sqrt(0.001) / 0.1
    double lr1 = 0.001 * std::sqrt(1 - 0.999) / (1 - 0.9);
    double p1 = 1.0 - lr1 * 0.2 / (std::sqrt(0.004) + 1e-7);
    CATCH_CHECK(p[0] == Approx(p1).margin(kTol));
    CATCH_CHECK(p[0] == Approx(0.999).margin(1e-8)); // the first Adam step moves by lr
    // Step 2: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996
    double lr2 = 0.001 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.81);
    CATCH_CHECK(p[1] == Approx(p1 - lr2 * 0.08 / (std::sqrt(0.004996) + 1e-7)).margin(kTol));
}

CATCH_TEST_CASE("Keras RMSprop and Adagrad", "[optimizers]") {
    // a = 0.1; p = 1 - 0.01 / (sqrt(0.1) + 1e-7)
    auto r = run<KerasRMSprop>(StepRuleOptions().lr(0.01).rho(0.9).eps(1e-7), {1.0});
    CATCH_CHECK(r[0] == Approx(1 - 0.01 / (std::sqrt(0.1) + 1e-7)).margin(kTol));
    // TF1: mean square starts at 1, epsilon under the root: a = 0.9 + 0.1 = 1
    auto tf1 = run<KerasRMSprop>(
        StepRuleOptions().lr(0.01).rho(0.9).eps(1e-10).eps_inside_sqrt(true).initial_accumulator(1.0), {1.0});
    CATCH_CHECK(tf1[0] == Approx(1 - 0.01 / std::sqrt(1.0 + 1e-10)).margin(kTol));
    // Keras 2: accumulator from 0: a = 1 then 2
    auto a = run<KerasAdagrad>(StepRuleOptions().lr(0.1).eps(1e-7), {1.0, 1.0});
    CATCH_CHECK(a[0] == Approx(1 - 0.1 / (1 + 1e-7)).margin(kTol));
    CATCH_CHECK(a[1] == Approx(a[0] - 0.1 / (std::sqrt(2.0) + 1e-7)).margin(kTol));
    // tf.keras: accumulator from 0.1
    auto b = run<KerasAdagrad>(StepRuleOptions().lr(0.1).eps(1e-7).initial_accumulator(0.1), {1.0});
    CATCH_CHECK(b[0] == Approx(1 - 0.1 / (std::sqrt(1.1) + 1e-7)).margin(kTol));
}

CATCH_TEST_CASE("Adadelta, Adamax and Nadam", "[optimizers]") {
    // Adadelta (Keras: rho 0.95, eps 1e-7, lr 1): a = 0.05, update = sqrt(1e-7) / sqrt(0.05 + 1e-7)
    auto d = run<Adadelta>(StepRuleOptions().lr(1.0).rho(0.95).eps(1e-7), {1.0, 1.0});
    double u1 = std::sqrt(1e-7) / std::sqrt(0.05 + 1e-7);
    CATCH_CHECK(d[0] == Approx(1 - u1).margin(kTol));
    // Step 2: a = 0.0475 + 0.05, accumulated updates d = 0.05 u1^2
    double u2 = std::sqrt(0.05 * u1 * u1 + 1e-7) / std::sqrt(0.0975 + 1e-7);
    CATCH_CHECK(d[1] == Approx(1 - u1 - u2).margin(kTol));

    // Adamax (Keras: lr 0.002): m = 0.2, u = 2, lr_t = 0.002 / 0.1
    auto x = run<Adamax>(StepRuleOptions().lr(0.002).eps(1e-7), {2.0});
    CATCH_CHECK(x[0] == Approx(1 - 0.02 * 0.2 / (2 + 1e-7)).margin(kTol));
    // torch's Adamax puts epsilon inside the max: u = max(0, |g| + eps)
    auto xt = run<Adamax>(StepRuleOptions().lr(0.002).eps(1e-8).eps_in_max(true), {2.0});
    CATCH_CHECK(xt[0] == Approx(1 - 0.02 * 0.2 / (2 + 1e-8)).margin(kTol));

    // Nadam (Keras: lr 0.002, schedule_decay 0.004), one step with g = 1
    double mu1 = 0.9 * (1 - 0.5 * std::pow(0.96, 0.004));
    double mu2 = 0.9 * (1 - 0.5 * std::pow(0.96, 0.008));
    double g_hat = 1.0 / (1 - mu1);
    double m_hat = 0.1 / (1 - mu1 * mu2);
    double v_hat = 0.001 / (1 - 0.999);
    double m_bar = (1 - mu1) * g_hat + mu2 * m_hat;
    auto na = run<Nadam>(StepRuleOptions().lr(0.002).eps(1e-7), {1.0});
    CATCH_CHECK(na[0] == Approx(1 - 0.002 * m_bar / (std::sqrt(v_hat) + 1e-7)).margin(kTol));
}

CATCH_TEST_CASE("the factory picks the framework's defaults", "[optimizers]") {
    CATCH_CHECK(*default_learning_rate(Framework::Keras, "adagrad") == Approx(0.01));
    CATCH_CHECK(*default_learning_rate(Framework::TfKeras, "adagrad") == Approx(0.001));
    CATCH_CHECK(*default_learning_rate(Framework::Keras, "adadelta") == Approx(1.0));
    CATCH_CHECK(*default_learning_rate(Framework::TfKeras, "adadelta") == Approx(0.001));
    CATCH_CHECK(*default_learning_rate(Framework::Keras, "sgd") == Approx(0.01));
    CATCH_CHECK(*default_learning_rate(Framework::PyTorch, "rmsprop") == Approx(0.01));
    CATCH_CHECK_FALSE(default_learning_rate(Framework::Keras, "ftrl").has_value());

    auto program = probe_test::mnist_mlp("categorical_crossentropy", "sgd", 0.1);
    program.optimizer.decay = probe_test::lit(0.5);
    torch::Tensor p = torch::ones({1}).requires_grad_(true);
    BuiltOptimizer built = make_optimizer(program, {p});
    CATCH_REQUIRE(built.optimizer);
    CATCH_CHECK(dynamic_cast<KerasSGD*>(built.optimizer.get()) != nullptr);
    CATCH_CHECK(effective_lr(*built.optimizer) == Approx(0.1));
    p.mutable_grad() = torch::ones({1});
    built.optimizer->step();
    CATCH_CHECK(effective_lr(*built.optimizer) == Approx(0.1 / 1.5));

    program.framework = Framework::PyTorch;
    BuiltOptimizer torch_sgd = make_optimizer(program, {p});
    CATCH_CHECK(dynamic_cast<torch::optim::SGD*>(torch_sgd.optimizer.get()) != nullptr);

    program.optimizer.name = probe_test::lit(std::string("ftrl"));
    CATCH_CHECK_FALSE(make_optimizer(program, {p}).error.empty());
}
