// The diagnosis models' costs (docs/diagnosis.md): loading the nine classifiers and the manifest, which a
// language server does once at start-up (the issue asks for milliseconds), and one diagnosis of a recorded
// trace: features, nine predictions and localization, which every probe result goes through.
#include "faultline/engine/diagnose.h"
#include "faultline/parser/parse.h"

#include <benchmark/benchmark.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// From the model directory rather than DiagnosisModel::bundled(), which loads once per process and caches:
// the same bytes, plus reading ten files, so an upper bound on the start-up load.
void BM_LoadModel_NineClassifiers(benchmark::State& state) {
    size_t loaded = 0;
    for (auto _ : state) {
        std::string error;
        auto model = faultline::DiagnosisModel::load_dir(FAULTLINE_MODEL_DIR, &error);
        if (!model) {
            state.SkipWithError(("the model does not load: " + error).c_str());
            return;
        }
        ++loaded;
        benchmark::DoNotOptimize(model);
    }
    state.counters["models"] = static_cast<double>(loaded);
}

// A fixture script and the trace the probe recorded for it with diagnosis_probe_options().
void diagnose_fixture(benchmark::State& state, const char* name) {
    const std::string dir = std::string(FAULTLINE_FIXTURES) + "/diagnose/";
    const faultline::TrainingProgram program = faultline::parse_program(slurp(dir + name + ".py"));
    const auto trace = nlohmann::json::parse(slurp(dir + name + ".trace.json")).get<faultline::Trace>();
    std::string error;
    const auto model = faultline::DiagnosisModel::bundled(&error);
    if (!model) {
        state.SkipWithError(error.c_str());
        return;
    }
    size_t findings = 0;
    for (auto _ : state) {
        auto out = faultline::diagnose(program, trace, *model);
        findings = out.size();
        benchmark::DoNotOptimize(out);
    }
    state.counters["findings"] = static_cast<double>(findings);
}

void BM_Diagnose_Healthy(benchmark::State& state) {
    diagnose_fixture(state, "healthy");
}
void BM_Diagnose_ExplodingLr(benchmark::State& state) {
    diagnose_fixture(state, "exploding_lr");
}

} // namespace

BENCHMARK(BM_LoadModel_NineClassifiers)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(9)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Diagnose_Healthy)->Unit(benchmark::kMicrosecond)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_Diagnose_ExplodingLr)->Unit(benchmark::kMicrosecond)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK_MAIN();
