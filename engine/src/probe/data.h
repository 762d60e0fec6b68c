// Data for the probe: a synthetic task shaped like the script's (input shape, label format, class count,
// value range) that a correct configuration learns within the probe, or the script's literal data as it is.
#pragma once

#include "faultline/parser/program.h"
#include "probe/task.h"

#include <torch/torch.h>

#include <cstdint>

namespace faultline::probe {

struct Dataset {
    torch::Tensor x_train, y_train;
    torch::Tensor x_val, y_val;
};

// Deterministic for a seed (uses its own generator, not torch's global one). Throws std::invalid_argument
// when literal data does not fit the task.
Dataset make_dataset(const TrainingProgram& program, const TaskSpec& task, uint64_t seed);

} // namespace faultline::probe
