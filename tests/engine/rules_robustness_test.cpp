// Static checks and localization must never crash, and every span they report must lie inside the text: on
// every prefix of every rule fixture (the states an editor passes through while typing) and on hand-made
// programs with missing or inconsistent values.
#include "faultline/engine/localize.h"
#include "faultline/engine/rules.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool inside(const Span& s, size_t size) {
    return s.start_byte <= s.end_byte && s.end_byte <= size;
}

void check_spans(const std::string& text) {
    TrainingProgram p = parse_program(text);
    for (const auto& f : run_static_checks(p)) {
        CHECK(inside(f.range, text.size()));
        CHECK_FALSE(f.message.empty());
        CHECK(f.related.size() == f.related_messages.size());
        for (const auto& r : f.related)
            CHECK(inside(r, text.size()));
        for (const auto& fix : f.fixes)
            for (const auto& e : fix.edits)
                CHECK(inside(e.range, text.size()));
    }
    for (int k = 0; k <= static_cast<int>(Fault::api); ++k)
        if (auto loc = locate(static_cast<Fault>(k), p)) {
            CHECK(inside(loc->range, text.size()));
            CHECK(loc->related.size() == loc->related_messages.size());
        }
}

} // namespace

TEST_CASE("checks and locate on every prefix of every fixture stay in bounds") {
    fs::path dir = fs::path(FAULTLINE_FIXTURES) / "rules";
    REQUIRE(fs::is_directory(dir));
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".py") continue;
        std::string text = read(e.path());
        INFO(e.path().filename().string());
        for (size_t n = 0; n < text.size(); n += 23)
            check_spans(text.substr(0, n));
        check_spans(text);
    }
}

TEST_CASE("inconsistent hand-made programs do not crash the checks") {
    TrainingProgram p;
    p.framework = Framework::Keras;
    Layer dense;
    dense.kind = "Dense";
    dense.units.value = -3;
    dense.units.kind = OriginKind::Literal;
    dense.units.literal = Span{}; // an empty literal span: no edit may be built from it
    dense.activation.value = "softmax";
    dense.activation.kind = OriginKind::Literal;
    dense.activation.literal = Span{5, 2, {0, 5}, {0, 2}}; // reversed
    p.layers = {dense, dense};
    p.loss.name.value = "categorical_crossentropy";
    p.loss.name.kind = OriginKind::Literal;
    p.loss.written_as_string = true;
    p.data.num_classes.value = 0;
    p.data.num_samples.value = 0;
    p.epochs.value = -1;
    p.batch_size.value = 0;
    p.optimizer.name.value = "sgd";
    p.optimizer.lr.value = -0.5;
    p.optimizer.lr.kind = OriginKind::Literal;
    auto findings = run_static_checks(p);
    for (const auto& f : findings)
        for (const auto& fix : f.fixes)
            for (const auto& e : fix.edits)
                CHECK(e.range.start_byte <= e.range.end_byte);
    for (int k = 0; k <= static_cast<int>(Fault::api); ++k)
        (void)locate(static_cast<Fault>(k), p);
}
