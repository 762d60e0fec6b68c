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

namespace {

size_t occurrences(const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

} // namespace

TEST_CASE(
    "a finding merged twice shows each explanation once: reasons, then evidence, then the fix, then the "
    "link") {
    // What the language server holds for a static finding once the probe worker's result is in: its own
    // static finding merged with the worker's, which the worker had already merged with the diagnosis (the
    // static explanation, with its advice and link, then the same again, then the diagnosis's).
    const std::string rule =
        "Softmax over one unit always outputs 1.0.\n\n**Fix:** use `sigmoid` for a yes/no "
        "output.\n\n[FL111: softmax-single-unit](file:///usr/share/doc/faultline/rules.md#fl111)";
    const std::string diagnosis = "**The output activation is likely wrong** (act, probability 0.97)\n\n"
                                  "A short probe training showed: accuracy stays at 0.5.";
    Finding f;
    f.code = "FL111";
    f.fault = Fault::act;
    f.confidence = 1.0;
    f.message = "softmax on a 1-unit output always outputs 1.0";
    f.explanation = rule + "\n\n" + rule + "\n\n" + diagnosis;
    Fix fix;
    fix.title = "Use the 'sigmoid' activation";
    fix.validated = true;
    fix.preferred = true;
    fix.effect = "accuracy 0.50 -> 0.94";
    f.fixes = {fix};
    Trace t;
    t.status = ProbeStatus::Ok;
    t.simulated_epochs = 2;
    t.series["train_loss"] = {0.7, 0.7};

    const std::string md = hover_markdown(f, &t);
    INFO(md);
    for (const char* part : {"Softmax over one unit always outputs 1.0.", "**Fix:** use `sigmoid`",
                             "[FL111: softmax-single-unit]", "A short probe training showed",
                             "**The output activation is likely wrong**"})
        CHECK(occurrences(md, part) == 1);
    const size_t reason = md.find("Softmax over one unit"), diagnosed = md.find("A short probe training"),
                 probe = md.find("**Probe**"), advice = md.find("**Fix:**"),
                 measured = md.find("Use the 'sigmoid' activation — measured: accuracy 0.50 -> 0.94"),
                 link = md.find("[FL111:");
    CHECK(reason < diagnosed);
    CHECK(diagnosed < probe);
    CHECK(probe < advice);
    CHECK(advice < measured);
    CHECK(measured < link);
    CHECK(link != std::string::npos);
}
