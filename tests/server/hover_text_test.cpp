#include "faultline/server/hover_text.h"
#include "faultline/server/span_shift.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace faultline;
using namespace faultline::server;

TEST_CASE("sparkline scales between min and max and marks non-finite values") {
    CHECK(sparkline({0, 1, 2, 3, 4, 5, 6, 7}) == "▁▂▃▄▅▆▇█");
    CHECK(sparkline({2.3, 2.3}) == "▄▄");
    CHECK(sparkline({1.0, std::nan(""), 0.0}) == "█×▁");
    CHECK(sparkline({}).empty());
}

TEST_CASE("hover markdown shows fault, confidence, curves and the measured fix") {
    Finding f;
    f.code = "FL131";
    f.fault = Fault::lr;
    f.confidence = 0.82;
    f.message = "learning rate 5.0 is too high";
    f.explanation = "The loss oscillates.";
    Fix fix;
    fix.title = "Use lr=0.01";
    fix.validated = true;
    fix.effect = "accuracy 0.31 -> 0.97";
    f.fixes = {fix};
    Trace t;
    t.status = ProbeStatus::Ok;
    t.simulated_epochs = 3;
    t.series["train_loss"] = {2.3, 2.5, 2.4};
    t.series["train_acc"] = {0.1, 0.12, 0.11};
    std::string md = hover_markdown(f, &t);
    CHECK(md.find("FL131 · lr") != std::string::npos);
    CHECK(md.find("confidence 82%") != std::string::npos);
    CHECK(md.find("The loss oscillates.") != std::string::npos);
    CHECK(md.find("▁█▅") != std::string::npos);
    CHECK(md.find("2.3 → 2.4") != std::string::npos);
    CHECK(md.find("Use lr=0.01 — measured: accuracy 0.31 -> 0.97") != std::string::npos);
    CHECK(hover_markdown(f, nullptr).find("Probe") == std::string::npos);
}

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
