#include "faultline/engine/train.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::corpus;

TEST_CASE("a clearly worse mutant is significant") {
    const auto r = welch_worse({0.95, 0.94, 0.96}, {0.10, 0.12, 0.11}, 0.02, 0.03);
    CHECK(r.significant);
    CHECK(r.p < 0.001);
    CHECK(r.d > 5);
}

TEST_CASE("noise is not an effect") {
    CHECK_FALSE(welch_worse({0.90, 0.92, 0.91}, {0.90, 0.89, 0.92}, 0.02, 0.03).significant);
    // Seeds that agree exactly cannot make a tiny gap significant.
    CHECK_FALSE(welch_worse({0.90, 0.90, 0.90}, {0.89, 0.89, 0.89}, 0.02, 0.03).significant);
    // Better is never "worse".
    CHECK_FALSE(welch_worse({0.50, 0.52, 0.49}, {0.90, 0.91, 0.92}, 0.02, 0.03).significant);
}

TEST_CASE("Welch's p-value matches a known value") {
    // Two samples with means 5 and 3, variances 1 and 1, n = 3 each: t = 2.449, df = 4, one-sided p = 0.0352.
    const auto r = welch_worse({4, 5, 6}, {2, 3, 4}, 0.0, 0.0);
    CHECK(r.t == Approx(2.449).epsilon(0.001));
    CHECK(r.df == Approx(4.0));
    CHECK(r.p == Approx(0.0352).epsilon(0.01));
}

TEST_CASE("outcome prefers validation accuracy and punishes divergence") {
    Trace t;
    t.status = ProbeStatus::Ok;
    t.series["train_acc"] = {0.5, 0.7};
    t.series["val_acc"] = {0.4, 0.6};
    CHECK(outcome(t, Task::Multiclass) == Approx(0.6));
    t.diverged = true;
    CHECK(outcome(t, Task::Multiclass) == 0.0);
}
