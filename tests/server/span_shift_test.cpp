#include "faultline/server/span_shift.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::server;

TEST_CASE("spans move with edits before them and are dropped when edited") {
    Span s = make_span("0123456789", 4, 6);
    Span moved = s;
    CHECK(shift_span(moved, {0, 2, "abcd"}));
    CHECK(moved.start_byte == 6);
    CHECK(moved.end_byte == 8);
    Span after = s;
    CHECK(shift_span(after, {8, 9, ""}));
    CHECK(after.start_byte == 4);
    Span hit = s;
    CHECK(!shift_span(hit, {5, 5, "x"}));
    std::vector<Finding> findings(2);
    findings[0].range = make_span("0123456789", 0, 2);
    findings[1].range = make_span("0123456789", 5, 7);
    shift_findings(findings, {6, 6, "x"});
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].range.end_byte == 2);
}
