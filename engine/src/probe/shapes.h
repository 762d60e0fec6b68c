// Shape inference over a TrainingProgram's layers, before anything is allocated: per-layer output shapes,
// parameter counts and a memory estimate, so that a shape error or an oversized model becomes a finding
// instead of a c10::Error or an allocation failure. Free of torch.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/parser/program.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::probe {

// Per-sample shape (no batch dimension). Keras layouts are channels-last; PyTorch convolutions keep the
// script's channels-first layout.
using Shape = std::vector<int64_t>;

std::string shape_text(const Shape& s);
int64_t numel(const Shape& s);

// A layer as the probe will build it. Wrapped layers (Bidirectional, TimeDistributed) keep their inner plan.
struct LayerPlan {
    const Layer* layer = nullptr;
    size_t index = 0; // position in program.layers (top level)
    Shape in;
    Shape out;
    int64_t params = 0;
    std::vector<LayerPlan> inner;
};

// Why the probe cannot go on. A fault is a finding on the script; otherwise the probe is skipped (for
// example when the parser could not tell the input shape).
struct PlanProblem {
    bool is_fault = false;
    Fault fault = Fault::tensor_shape;
    std::string code; // FL9xx
    Span span;
    std::string message;
};

struct NetworkPlan {
    Shape input;
    bool token_input = false;   // the first layer is an Embedding: integer inputs
    bool assumed_input = false; // the script never tells the input width; the probe assumed one
    std::vector<LayerPlan> layers;
    int64_t parameters = 0;
    int64_t activations_per_sample = 0; // floats produced by all layers for one sample
    std::optional<PlanProblem> problem;

    const Shape& output() const { return layers.empty() ? input : layers.back().out; }
};

NetworkPlan plan_network(const TrainingProgram& program);

// Bytes the probe would need for the plan with this batch and sample count: weights, gradients and two
// optimizer states per parameter, three copies of every activation (output, gradient, saved input), and
// the synthetic data set.
uint64_t estimate_bytes(const NetworkPlan& plan, int64_t batch_size, int64_t samples);

// Seconds one training step (forward, backward, update) of this plan takes at this batch size on one core of
// the reference machine, from multiply-adds and a per-layer and per-timestep overhead. A model of the
// machine, not a measurement, so that the schedule it bounds stays the same from run to run.
double estimate_step_seconds(const NetworkPlan& plan, int64_t batch_size);

// Codes of the findings the probe itself reports.
inline constexpr const char* kCodeShapeError = "FL901";
inline constexpr const char* kCodeTooLarge = "FL902";
inline constexpr const char* kCodeTargetMismatch = "FL903";
inline constexpr const char* kCodeRuntimeError = "FL904";

} // namespace faultline::probe
