#include "../../engine/src/diagnose/booster.h"

#include <catch2/catch.hpp>

#include <random>

using faultline::diag::Booster;
using faultline::diag::BoosterParams;
using faultline::diag::Matrix;

namespace {

// Two features; the label is whether the first exceeds the second, with a distractor feature of noise.
Matrix separable(int rows, std::vector<float>& labels, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0, 1);
    Matrix m{{}, rows, 3};
    for (int i = 0; i < rows; ++i) {
        const float a = u(rng), b = u(rng);
        m.values.insert(m.values.end(), {a, b, u(rng)});
        labels.push_back(a > b ? 1.0f : 0.0f);
    }
    return m;
}

} // namespace

TEST_CASE("a booster learns separable data and survives a save/load round trip") {
    std::vector<float> ytrain, ytest;
    const Matrix train = separable(400, ytrain, 1), test = separable(100, ytest, 2);
    BoosterParams params;
    params.rounds = 60;
    std::string error;
    auto booster = Booster::train(train, ytrain, params, &error);
    REQUIRE(booster);
    const auto p = booster->predict(test);
    REQUIRE(p.size() == 100);
    int correct = 0;
    for (size_t i = 0; i < p.size(); ++i)
        correct += (p[i] >= 0.5f) == (ytest[i] > 0.5f);
    CHECK(correct >= 90);

    const std::string bytes = booster->save();
    REQUIRE(!bytes.empty());
    auto loaded = Booster::load(bytes.data(), bytes.size(), &error);
    REQUIRE(loaded);
    const auto q = loaded->predict(test);
    REQUIRE(q.size() == p.size());
    for (size_t i = 0; i < p.size(); ++i)
        CHECK(q[i] == Approx(p[i]).margin(1e-6));
}

TEST_CASE("bad input to the booster is an error, not a crash") {
    std::string error;
    CHECK_FALSE(Booster::load("not a model", 11, &error));
    CHECK_FALSE(error.empty());
    std::vector<float> labels = {1.0f};
    Matrix wrong{{1.0f, 2.0f, 3.0f}, 2, 2};
    CHECK_FALSE(Booster::train(wrong, labels, BoosterParams{}, &error));
}
