#include "faultline/server/debounce.h"

#include <catch2/catch.hpp>

using namespace faultline::server;

TEST_CASE("the debounce follows the median analysis time, within 50..500 ms") {
    using ms = std::chrono::milliseconds;
    DebouncePolicy policy;
    CHECK(policy.delay() == ms(50));
    for (int i = 0; i < 8; ++i)
        policy.record(std::chrono::duration<double, std::milli>(1.0));
    CHECK(policy.delay() == ms(50));
    for (int i = 0; i < 8; ++i)
        policy.record(std::chrono::duration<double, std::milli>(100.0));
    CHECK(policy.delay() == ms(200));
    policy.record(std::chrono::duration<double, std::milli>(5000.0)); // one outlier does not move the median
    CHECK(policy.delay() == ms(200));
    for (int i = 0; i < 8; ++i)
        policy.record(std::chrono::duration<double, std::milli>(2400.0));
    CHECK(policy.delay() == ms(500));
}
