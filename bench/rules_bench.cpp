// All static checks on typical parsed scripts (goal: under 1 ms median). The scripts are the rule fixtures:
// a correct Keras MLP, a faulty Keras script that fires several rules, and a PyTorch module with its loop.
#include "faultline/engine/rules.h"
#include "faultline/parser/parse.h"

#include <benchmark/benchmark.h>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string fixture(const char* name) {
    std::ifstream in(std::string(FAULTLINE_RULE_FIXTURES) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void run_checks(benchmark::State& state, const char* name) {
    const faultline::TrainingProgram program = faultline::parse_program(fixture(name));
    if (!program.has_model()) state.SkipWithError("fixture has no model");
    size_t findings = 0;
    for (auto _ : state) {
        auto out = faultline::run_static_checks(program);
        findings = out.size();
        benchmark::DoNotOptimize(out);
    }
    state.counters["findings"] = static_cast<double>(findings);
}

void BM_ChecksKerasCorrect(benchmark::State& state) {
    run_checks(state, "ok_keras_mnist_mlp.py");
}
void BM_ChecksKerasFaulty(benchmark::State& state) {
    run_checks(state, "fl105_mse_on_softmax.py");
}
void BM_ChecksKerasCnn(benchmark::State& state) {
    run_checks(state, "ok_keras_cifar_cnn.py");
}
void BM_ChecksTorch(benchmark::State& state) {
    run_checks(state, "ok_torch_mlp.py");
}

// Parse and check together: what a keystroke costs before the probe starts.
void BM_ParseAndCheckKeras(benchmark::State& state) {
    const std::string text = fixture("ok_keras_mnist_mlp.py");
    for (auto _ : state)
        benchmark::DoNotOptimize(faultline::run_static_checks(faultline::parse_program(text)));
}

} // namespace

// Run with --benchmark_repetitions=N for the median (reported as *_median).
BENCHMARK(BM_ChecksKerasCorrect);
BENCHMARK(BM_ChecksKerasFaulty);
BENCHMARK(BM_ChecksKerasCnn);
BENCHMARK(BM_ChecksTorch);
BENCHMARK(BM_ParseAndCheckKeras);
BENCHMARK_MAIN();
