// Each loss against values worked out by hand from the framework's formula.
#include "probe/losses.h"

#include <catch2/catch.hpp>

#include <cmath>

using faultline::Framework;
using faultline::LabelFormat;
using faultline::probe::accuracy;
using faultline::probe::compute_loss;
using faultline::probe::LossSpec;

namespace {

double loss(const std::string& name, const torch::Tensor& out, const torch::Tensor& y, bool logits = false,
            Framework fw = Framework::Keras, bool sum = false) {
    return compute_loss(LossSpec{name, logits, sum, fw}, out, y).item<double>();
}

torch::Tensor t(std::vector<float> v, int64_t cols) {
    auto rows = static_cast<int64_t>(v.size()) / cols;
    return torch::tensor(v).reshape({rows, cols});
}

torch::Tensor ids(std::vector<int64_t> v) {
    return torch::tensor(v, torch::kLong);
}

constexpr double kTol = 1e-5;

} // namespace

CATCH_TEST_CASE("Keras categorical cross-entropy normalizes and clips probabilities", "[losses]") {
    // -log(0.5)
    CATCH_CHECK(loss("categorical_crossentropy", t({0.2f, 0.3f, 0.5f}, 3), t({0, 0, 1}, 3)) ==
                Approx(0.693147).epsilon(kTol));
    // Keras divides by the row sum first: (0.4, 0.6, 1.0) / 2 is the same distribution.
    CATCH_CHECK(loss("categorical_crossentropy", t({0.4f, 0.6f, 1.0f}, 3), t({0, 0, 1}, 3)) ==
                Approx(0.693147).epsilon(kTol));
    // A zero probability on the true class is clipped to 1e-7: -log(1e-7) = 16.118096.
    CATCH_CHECK(loss("categorical_crossentropy", t({1, 0, 0}, 3), t({0, 1, 0}, 3)) ==
                Approx(16.118096).epsilon(1e-4));
    // Integer targets are one-hot encoded when they reach it directly.
    CATCH_CHECK(loss("categorical_crossentropy", t({0.2f, 0.3f, 0.5f}, 3), ids({1})) ==
                Approx(1.203973).epsilon(kTol));
}

CATCH_TEST_CASE("from_logits cross-entropies apply the softmax themselves", "[losses]") {
    // log(1 + e^-1 + e^-2)
    CATCH_CHECK(loss("categorical_crossentropy", t({1, 2, 3}, 3), t({0, 0, 1}, 3), true) ==
                Approx(0.407606).epsilon(kTol));
    // PyTorch CrossEntropyLoss: logits and a class id; -log softmax(1,2,3)[0] = 2 + log(1 + e^-1 + e^-2)
    CATCH_CHECK(loss("sparse_categorical_crossentropy", t({1, 2, 3}, 3), ids({0}), true,
                     Framework::PyTorch) == Approx(2.407606).epsilon(kTol));
    // log 2
    CATCH_CHECK(loss("binary_crossentropy", t({0}, 1), t({1}, 1), true) == Approx(0.693147).epsilon(kTol));
}

CATCH_TEST_CASE("sparse categorical cross-entropy and NLL", "[losses]") {
    // -log(0.3)
    CATCH_CHECK(loss("sparse_categorical_crossentropy", t({0.2f, 0.3f, 0.5f}, 3), ids({1})) ==
                Approx(1.203973).epsilon(kTol));
    // NLLLoss takes log-probabilities: -(-0.5)
    CATCH_CHECK(loss("nll", t({-1.2f, -0.5f, -2.0f}, 3), ids({1}), false, Framework::PyTorch) == Approx(0.5));
    // Mean over the batch: (-log 0.3 + -log 0.5) / 2
    CATCH_CHECK(loss("sparse_categorical_crossentropy", t({0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f}, 3),
                     ids({1, 2})) == Approx((1.203973 + 0.693147) / 2).epsilon(kTol));
}

CATCH_TEST_CASE("binary cross-entropy: Keras clips, PyTorch clamps the log at -100", "[losses]") {
    // (-log 0.8 + -log 0.2) / 2
    CATCH_CHECK(loss("binary_crossentropy", t({0.8f, 0.8f}, 1), t({1, 0}, 1)) ==
                Approx((0.223144 + 1.609438) / 2).epsilon(kTol));
    // p = 1 is clipped to 1 - 1e-7, which float32 (Keras' and the probe's dtype) rounds to 1 - 1.19e-7.
    const double clipped = static_cast<double>(1.0f - 1e-7f);
    CATCH_CHECK(loss("binary_crossentropy", t({1}, 1), t({0}, 1)) ==
                Approx(-std::log(1 - clipped)).epsilon(1e-4));
    CATCH_CHECK(loss("binary_crossentropy", t({1}, 1), t({0}, 1), false, Framework::PyTorch) ==
                Approx(100.0));
}

CATCH_TEST_CASE("TF1's hand-written cross-entropy is neither clipped nor averaged", "[losses]") {
    // -tf.reduce_sum(y * tf.log(p)) over two rows: -log 0.5 - log 0.25
    CATCH_CHECK(loss("categorical_crossentropy", t({0.5f, 0.5f, 0.75f, 0.25f}, 2), t({1, 0, 0, 1}, 2), false,
                     Framework::TF1, true) == Approx(0.693147 + 1.386294).epsilon(kTol));
    CATCH_CHECK(std::isinf(
        loss("categorical_crossentropy", t({1, 0}, 2), t({0, 1}, 2), false, Framework::TF1, true)));
}

CATCH_TEST_CASE("regression losses", "[losses]") {
    auto out = t({1, 2}, 2), y = t({0, 4}, 2);
    CATCH_CHECK(loss("mean_squared_error", out, y) == Approx(2.5));  // (1 + 4) / 2
    CATCH_CHECK(loss("mean_absolute_error", out, y) == Approx(1.5)); // (1 + 2) / 2
    CATCH_CHECK(loss("mean_absolute_percentage_error", t({1, 5}, 2), t({2, 4}, 2)) ==
                Approx(37.5)); // 100 (.5+.25)/2
    CATCH_CHECK(loss("mean_squared_logarithmic_error", t({static_cast<float>(M_E - 1)}, 1), t({0}, 1)) ==
                Approx(1.0).epsilon(1e-5));                                               // (log e - log 1)^2
    CATCH_CHECK(loss("poisson", t({2}, 1), t({1}, 1)) == Approx(1.306853).epsilon(kTol)); // 2 - log 2
    CATCH_CHECK(loss("logcosh", t({1}, 1), t({0}, 1)) == Approx(0.433781).epsilon(kTol)); // log cosh 1
    CATCH_CHECK(loss("huber", t({0.5f, 2}, 2), t({0, 0}, 2)) == Approx(0.8125));          // (0.125 + 1.5) / 2
    CATCH_CHECK(loss("cosine_similarity", t({1, 1}, 2), t({1, 0}, 2)) == Approx(-0.707107).epsilon(kTol));
    // Sum reduction over the batch: rows lose 1 and 4.
    CATCH_CHECK(loss("mean_squared_error", t({1, 2}, 1), t({0, 0}, 1), false, Framework::Keras, true) ==
                Approx(5.0));
}

CATCH_TEST_CASE("hinge losses and KL divergence", "[losses]") {
    // 0/1 labels become -1/1: margins 1 - 0.3 = 0.7 and 1 + 0.5 = 1.5.
    CATCH_CHECK(loss("hinge", t({0.3f, 0.5f}, 1), t({1, 0}, 1)) == Approx(1.1));
    CATCH_CHECK(loss("squared_hinge", t({0.3f, 0.5f}, 1), t({1, 0}, 1)) == Approx(1.37));
    // pos = 0.2, neg = 0.9: 0.9 - 0.2 + 1
    CATCH_CHECK(loss("categorical_hinge", t({0.5f, 0.2f, 0.9f}, 3), t({0, 1, 0}, 3)) == Approx(1.7));
    // 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75)
    CATCH_CHECK(loss("kl_divergence", t({0.25f, 0.75f}, 2), t({0.5f, 0.5f}, 2)) ==
                Approx(0.143841).epsilon(kTol));
}

CATCH_TEST_CASE("an unknown loss name is an error, not a silent default", "[losses]") {
    CATCH_CHECK_THROWS_AS(loss("mean_cubed_error", t({1}, 1), t({0}, 1)), std::invalid_argument);
    CATCH_CHECK_FALSE(faultline::probe::known_loss("mean_cubed_error"));
    CATCH_CHECK(faultline::probe::known_loss("huber"));
}

CATCH_TEST_CASE("accuracy follows Keras' choice of metric", "[losses]") {
    LossSpec cce{"categorical_crossentropy", false, false, Framework::Keras};
    CATCH_CHECK(accuracy(cce, t({0.1f, 0.9f, 0.8f, 0.2f}, 2), t({0, 1, 0, 1}, 2), LabelFormat::OneHot) ==
                Approx(0.5));
    // Binary cross-entropy on two one-hot columns is scored element-wise: both columns right on row one,
    // both wrong on row two.
    LossSpec bce{"binary_crossentropy", false, false, Framework::Keras};
    CATCH_CHECK(accuracy(bce, t({0.1f, 0.9f, 0.9f, 0.1f}, 2), t({0, 1, 0, 1}, 2), LabelFormat::OneHot) ==
                Approx(0.5));
    CATCH_CHECK(accuracy(bce, t({0.6f, 0.4f}, 1), t({1, 1}, 1), LabelFormat::Binary) == Approx(0.5));
    LossSpec logits{"binary_crossentropy", true, false, Framework::PyTorch};
    CATCH_CHECK(accuracy(logits, t({0.4f, -0.1f}, 1), t({1, 1}, 1), LabelFormat::Binary) == Approx(0.5));
}
