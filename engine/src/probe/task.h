// What the probe trains on: the concrete task read off a TrainingProgram (label format, classes, input range,
// sample counts) and the epoch schedule that fits the budget. Free of torch so it can be reasoned about and
// tested on its own.
#pragma once

#include "faultline/engine/probe.h"
#include "faultline/parser/program.h"
#include "probe/shapes.h"

#include <cstdint>
#include <optional>
#include <string>

namespace faultline::probe {

struct TaskSpec {
    bool classification = true;
    LabelFormat labels = LabelFormat::Integer; // never Unknown once resolved
    int64_t classes = 2;                       // classification only
    int64_t target_width = 1;                  // per-sample width of the target tensor
    Shape input;
    bool tokens = false;
    int64_t vocabulary = 0;
    bool image = false;
    bool channels_first = false; // images laid out (C, H, W), as PyTorch scripts feed them
    bool raw_columns = false;    // unscaled table columns: each feature on its own scale up to input_max
    double input_min = 0.0;      // the range the script feeds; standardized inputs have min/max unset
    double input_max = 1.0;
    bool standardized = false;
    double target_mean = 0.0; // regression targets
    double target_std = 1.0;
    bool literal = false;
    int64_t user_samples = 0;
    int64_t train_samples = 0;
    int64_t user_train_rows =
        0; // rows the script trains on (after its validation split), before the probe's cap
    int64_t val_samples = 0;
    std::string description;
};

// Resolves the task, or returns a problem (a finding when the labels cannot fit the output layer).
struct TaskResult {
    TaskSpec spec;
    std::optional<PlanProblem> problem;
};
TaskResult resolve_task(const TrainingProgram& program, const NetworkPlan& plan, const ProbeOptions& options);

struct Schedule {
    int64_t user_epochs = 1;
    int64_t user_updates = 0; // the script's weight updates: its epochs times its batches per epoch, or steps
    int64_t epochs = 1;       // simulated
    int64_t steps_per_epoch = 1; // the last epoch may be shorter for TF1 step counts
    int64_t total_steps = 1;
    int64_t batch_size = 32;
    int64_t train_samples = 0; // rows used per epoch (may be fewer than the task's when steps are scarce)
    double epoch_scale = 1.0;
    std::string note;
};
// Bounded by options.max_steps, options.max_epochs and the steps the time budget affords by
// estimate_step_seconds (so the schedule depends only on the program and the options).
Schedule plan_schedule(const TrainingProgram& program, const TaskSpec& task, const NetworkPlan& plan,
                       const ProbeOptions& options);

// The framework's default learning rate for an optimizer name, and whether the name is known.
std::optional<double> default_learning_rate(Framework framework, const std::string& optimizer);

} // namespace faultline::probe
