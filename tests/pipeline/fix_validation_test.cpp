// Validated fixes: each fixture has one fault; its finding gets candidates, each is probed with the
// baseline's seed and budget, and the best validated one must be the expected fix. A fix on a program that
// already works cannot beat it clearly and must not be validated.
#include "faultline/engine/fixes.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

using namespace faultline;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(FAULTLINE_FIXTURES) + "/fixes/" + name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

struct Validated {
    std::string text;
    TrainingProgram program;
    Trace baseline;
    std::vector<Finding> findings;
    double seconds = 0;
};

std::string describe(const std::vector<Finding>& findings) {
    std::ostringstream s;
    for (const auto& f : findings)
        for (const auto& fix : f.fixes)
            s << "[" << to_string(f.fault) << "] " << fix.title << (fix.validated ? " VALIDATED " : " ")
              << fix.effect << (fix.preferred ? " (preferred)" : "") << "\n";
    return s.str();
}

// One finding per fault type given, as the diagnosis would report them (without fixes of its own).
Validated validate(const std::string& file, std::vector<Fault> faults) {
    Validated v;
    v.text = fixture(file);
    v.program = parse_program(v.text);
    ProbeOptions options;
    v.baseline = run_probe(v.program, options).trace;
    REQUIRE(v.baseline.status == ProbeStatus::Ok);
    for (Fault fault : faults) {
        Finding f;
        f.fault = fault;
        f.code = "TEST";
        v.findings.push_back(f);
    }
    auto start = std::chrono::steady_clock::now();
    validate_fixes(v.text, v.program, v.baseline, v.findings, options);
    v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // The budget: all of validation within three single-probe budgets (with slack for the re-parses).
    CHECK(v.seconds <= 3 * options.budget_seconds + 1.0);
    return v;
}

void expect_best(const Validated& v, size_t finding, const std::string& title) {
    INFO(describe(v.findings));
    const Fix* best = best_fix(v.findings.at(finding), false);
    REQUIRE(best);
    CHECK(best->title == title);
    CHECK(best->validated);
    CHECK(best->preferred);
    CHECK(best->improvement > 0);
    CHECK(best->effect.rfind("probe ", 0) == 0);
    TrainingProgram edited = parse_program(apply_replacements(v.text, best->edits));
    CHECK_FALSE(edited.has_syntax_errors);
}

} // namespace

TEST_CASE("validated: a learning rate of 1.5 for SGD is lowered", "[fixes][probe]") {
    auto v = validate("lr_too_high.py", {Fault::lr});
    INFO(describe(v.findings));
    const Fix* best = best_fix(v.findings[0], false);
    REQUIRE(best);
    CHECK(best->title.rfind("Use learning rate 0.", 0) == 0);
    expect_best(v, 0, best->title);
}

TEST_CASE("validated: softmax on one unit becomes sigmoid", "[fixes][probe]") {
    auto v = validate("softmax_one_unit.py", {Fault::act});
    expect_best(v, 0, "Use the 'sigmoid' activation");
}

TEST_CASE("validated: mse on a softmax classifier becomes categorical cross-entropy", "[fixes][probe]") {
    auto v = validate("mse_softmax.py", {Fault::loss});
    expect_best(v, 0, "Use loss=\"categorical_crossentropy\"");
}

TEST_CASE("validated: one epoch becomes more", "[fixes][probe]") {
    auto v = validate("one_epoch.py", {Fault::epoch});
    INFO(describe(v.findings));
    const Fix* best = best_fix(v.findings[0], false);
    REQUIRE(best);
    CHECK((best->title == "Use epochs 10" || best->title == "Use epochs 30"));
    expect_best(v, 0, best->title);
}

TEST_CASE("validated: zero initializers are replaced", "[fixes][probe]") {
    auto v = validate("zeros_init.py", {Fault::weight_init});
    INFO(describe(v.findings));
    const Fix* best = best_fix(v.findings[0], false);
    REQUIRE(best);
    CHECK((best->title == "Use the he_normal initializer" ||
           best->title == "Use the glorot_uniform initializer"));
    expect_best(v, 0, best->title);
}

TEST_CASE("validated: raw pixels are scaled", "[fixes][probe]") {
    auto v = validate("unscaled_pixels.py", {Fault::data_preprocessing});
    expect_best(v, 0, "Scale the inputs to 0..1 (x_train / 255.0)");
}

TEST_CASE("validated: a vanishing sigmoid stack gets relu or a better optimizer", "[fixes][probe]") {
    auto v = validate("sigmoid_hidden_sgd.py", {Fault::act, Fault::opt});
    expect_best(v, 0, "Use relu in the hidden layers");
    INFO(describe(v.findings));
    const Fix* opt = best_fix(v.findings[1], false);
    REQUIRE(opt);
    CHECK(opt->validated);
    // Both findings have validated fixes: the combination was probed and reported on each.
    CHECK(v.findings[0].fixes.front().effect.find("with the other 1 validated fix") != std::string::npos);
    CHECK(opt->effect.find("with the other 1 validated fix") != std::string::npos);
}

TEST_CASE("not validated: no fix beats a program that already learns", "[fixes][probe]") {
    auto v = validate("healthy.py", {Fault::opt, Fault::lr, Fault::batch_size, Fault::epoch});
    INFO(describe(v.findings));
    size_t candidates = 0;
    for (const auto& f : v.findings) {
        candidates += f.fixes.size();
        for (const auto& fix : f.fixes) {
            CHECK_FALSE(fix.validated);
            CHECK_FALSE(fix.preferred);
            CHECK(fix.effect.rfind("probed, no clear improvement: probe accuracy ", 0) == 0);
        }
        CHECK(best_fix(f, false) == nullptr);
    }
    CHECK(candidates >= 4);
}

TEST_CASE("validation decides the same way twice for a seed", "[fixes][probe]") {
    // Two probes run at once; the decisions and the ranking must not depend on their interleaving.
    auto a = validate("lr_too_high.py", {Fault::lr});
    auto b = validate("lr_too_high.py", {Fault::lr});
    REQUIRE(a.findings[0].fixes.size() == b.findings[0].fixes.size());
    REQUIRE(a.findings[0].fixes.size() >= 3);
    for (size_t i = 0; i < a.findings[0].fixes.size(); ++i) {
        CHECK(a.findings[0].fixes[i].title == b.findings[0].fixes[i].title);
        CHECK(a.findings[0].fixes[i].validated == b.findings[0].fixes[i].validated);
        CHECK(a.findings[0].fixes[i].preferred == b.findings[0].fixes[i].preferred);
    }
}

TEST_CASE("validation stops when cancelled", "[fixes][probe]") {
    std::string text = fixture("lr_too_high.py");
    TrainingProgram program = parse_program(text);
    Trace baseline = run_probe(program, ProbeOptions{}).trace;
    REQUIRE(baseline.status == ProbeStatus::Ok);
    std::vector<Finding> findings(1);
    findings[0].fault = Fault::lr;
    std::atomic<bool> cancel{true};
    auto start = std::chrono::steady_clock::now();
    validate_fixes(text, program, baseline, findings, ProbeOptions{}, &cancel);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 0.5);
    for (const auto& fix : findings[0].fixes)
        CHECK_FALSE(fix.validated);
}

TEST_CASE("composed: two fixes that only work together are validated together", "[fixes][probe]") {
    // Softmax alone still diverges at lr 5; lr alone still feeds scores to the clipped cross-entropy.
    auto v = validate("two_faults.py", {Fault::act, Fault::lr});
    INFO(describe(v.findings));
    const Fix* act = best_fix(v.findings[0], false);
    const Fix* lr = best_fix(v.findings[1], false);
    REQUIRE(act);
    REQUIRE(lr);
    CHECK(act->title == "Add activation='softmax' to the output layer");
    CHECK(act->effect.find("together with 'Use learning rate ") != std::string::npos);
    CHECK(lr->effect.find("together with 'Add activation='softmax' to the output layer'") !=
          std::string::npos);
    std::vector<Replacement> edits = act->edits;
    edits.insert(edits.end(), lr->edits.begin(), lr->edits.end());
    TrainingProgram both = parse_program(apply_replacements(v.text, edits));
    CHECK_FALSE(both.has_syntax_errors);
    CHECK(both.layers.back().activation.value_or("") == "softmax");
    CHECK(both.optimizer.lr.value_or(5.0) < 1.0);
}

TEST_CASE("validation reports its progress after each probe", "[fixes][probe]") {
    std::string text = fixture("lr_too_high.py");
    TrainingProgram program = parse_program(text);
    Trace baseline = run_probe(program, ProbeOptions{}).trace;
    REQUIRE(baseline.status == ProbeStatus::Ok);
    std::vector<Finding> findings(1);
    findings[0].fault = Fault::lr;
    std::vector<FixProgress> seen;
    validate_fixes(text, program, baseline, findings, ProbeOptions{}, nullptr,
                   [&](const FixProgress& p) { seen.push_back(p); });
    REQUIRE(seen.size() >= findings[0].fixes.size());
    for (size_t i = 0; i < seen.size(); ++i) {
        CHECK(seen[i].probed == i + 1);
        CHECK(seen[i].probed <= seen[i].planned);
    }
}

TEST_CASE("validated: PyTorch softmax before CrossEntropyLoss is removed (shown by the loss)",
          "[fixes][probe]") {
    // The accuracy moves little (0.94 -> 0.99) but the loss under the same loss function drops by an order
    // of magnitude: the loss criterion validates it.
    auto v = validate("torch_double_softmax.py", {Fault::act});
    expect_best(v, 0, "Remove F.softmax (the loss takes raw scores)");
}

TEST_CASE("validation of broken or empty scripts does not crash and validates nothing", "[fixes][probe]") {
    Trace ok;
    ok.status = ProbeStatus::Ok;
    ok.series["train_acc"] = {0.5};
    ok.series["train_loss"] = {0.7};
    for (std::string text : {std::string(), std::string("model.compile(loss=)\nmodel.fit(x, y, epochs=)\n"),
                             std::string("import keras\nmodel = keras.Sequential([keras.layers.Dense(\n")}) {
        TrainingProgram program = parse_program(text);
        std::vector<Finding> findings;
        for (Fault fault :
             {Fault::loss, Fault::act, Fault::lr, Fault::opt, Fault::epoch, Fault::data_preprocessing}) {
            Finding f;
            f.fault = fault;
            findings.push_back(f);
        }
        validate_fixes(text, program, ok, findings, ProbeOptions{});
        for (const auto& f : findings)
            for (const auto& fix : f.fixes)
                CHECK_FALSE(fix.validated);
    }
}
