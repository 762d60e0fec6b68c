#include "faultline/engine/diagnose.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace faultline;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A fixture script and the trace the probe recorded for it with diagnosis_probe_options().
std::map<Fault, double> predict_fixture(const DiagnosisModel& model, const std::string& name) {
    const std::string dir = std::string(FAULTLINE_FIXTURES) + "/diagnose/";
    const TrainingProgram program = parse_program(slurp(dir + name + ".py"));
    const Trace trace = nlohmann::json::parse(slurp(dir + name + ".trace.json")).get<Trace>();
    REQUIRE(trace.status == ProbeStatus::Ok);
    return model.predict(extract_features(program, trace));
}

bool flagged(const DiagnosisModel& model, const std::map<Fault, double>& p, Fault f) {
    auto it = p.find(f);
    return it != p.end() && it->second >= model.threshold(f);
}

} // namespace

// How fast it loads is measured in bench/diagnose_bench.cpp, not here.
TEST_CASE("the bundled model loads and covers the DeepFD types") {
    std::string error;
    const auto model = DiagnosisModel::bundled(&error);
    INFO(error);
    REQUIRE(model);
    const auto p = predict_fixture(*model, "healthy");
    for (Fault f : {Fault::opt, Fault::lr, Fault::act, Fault::loss, Fault::epoch})
        CHECK(p.count(f) == 1);
}

TEST_CASE("the bundled model names the seeded fault of clear cases") {
    const auto model = DiagnosisModel::bundled();
    REQUIRE(model);
    SECTION("an exploding learning rate") {
        CHECK(flagged(*model, predict_fixture(*model, "exploding_lr"), Fault::lr));
    }
    SECTION("weights initialized to zeros") {
        CHECK(flagged(*model, predict_fixture(*model, "zero_init"), Fault::weight_init));
    }
    SECTION("sigmoid in every hidden layer: the hidden layers, not the output") {
        const auto p = predict_fixture(*model, "deep_sigmoid");
        CHECK(flagged(*model, p, Fault::hidden_activation));
        CHECK_FALSE(flagged(*model, p, Fault::act));
    }
    SECTION("a single epoch") {
        CHECK(flagged(*model, predict_fixture(*model, "one_epoch"), Fault::epoch));
    }
    SECTION("a correct program is not flagged") {
        const auto p = predict_fixture(*model, "healthy");
        for (Fault f : diagnosed_faults()) {
            INFO(to_string(f));
            CHECK_FALSE(flagged(*model, p, f));
        }
    }
}

TEST_CASE("a model directory without a manifest is a clear error") {
    std::string error;
    CHECK_FALSE(DiagnosisModel::load_dir("/nonexistent/model", &error));
    CHECK(error.find("manifest.json") != std::string::npos);
}
