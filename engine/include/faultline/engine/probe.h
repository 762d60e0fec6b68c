// The probe: rebuild a TrainingProgram in LibTorch, train it briefly on data shaped like the user's, and
// record a Trace. Only engine/src/probe/ includes torch.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/trace.h"
#include "faultline/parser/program.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace faultline {

// The wall clock stops a probe only past this many times its budget: the steps are planned from a cost model
// of the network (task.cpp), not from the clock, so that the same script gets the same trace, and the same
// findings, on an idle and on a loaded machine.
constexpr int kWallCapFactor = 4;

struct ProbeOptions {
    double budget_seconds = 3.0;      // what the steps are planned for; see kWallCapFactor
    int64_t max_steps = 600;          // optimizer steps across the whole probe
    int64_t max_epochs = 30;          // simulated epochs at most
    int64_t max_train_samples = 2000; // synthetic rows
    uint64_t memory_limit_bytes = 1ull << 30;
    uint64_t seed = 1;
    int threads = 1;
    // false: train the same steps without instruments, validation passes or per-batch accuracy (to measure
    // what the instruments cost); the trace then has no series.
    bool instruments = true;
    // Treat the program's sample count as min(script's, max_train_samples) and scale epochs accordingly.
};

struct ProbeProgress {
    int64_t epoch = 0;
    int64_t total_epochs = 0;
    double train_loss = 0.0;
    double train_acc = 0.0;
};

struct ProbeResult {
    Trace trace;
    // Problems found while building (shape mismatch, unsupported layer, model too large): findings with the
    // span of the offending statement.
    std::vector<Finding> build_findings;
};

// What a probe costs by the cost model its steps were planned with: the training's planned seconds plus the
// share of the budget that data, instruments and validation passes take. Deterministic, unlike
// Trace::seconds; what budgets shared between several probes are charged in.
double planned_probe_seconds(const Trace& trace);

// Runs in-process. Never throws: errors end up in trace.status/reason and build_findings.
// `cancel` is polled between steps; `progress` is called after each simulated epoch.
ProbeResult run_probe(const TrainingProgram& program, const ProbeOptions& options,
                      const std::atomic<bool>* cancel = nullptr,
                      const std::function<void(const ProbeProgress&)>& progress = {});

} // namespace faultline
