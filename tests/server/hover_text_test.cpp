#include "faultline/server/hover_text.h"

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
