// Losses and accuracy as the script's framework computes them. Keras cross-entropies take probabilities and
// clip them to [1e-7, 1 - 1e-7] unless from_logits; PyTorch's CrossEntropyLoss takes logits and class ids.
#pragma once

#include "faultline/parser/program.h"

#include <torch/torch.h>

#include <string>

namespace faultline::probe {

struct LossSpec {
    std::string name; // canonical name from program.h
    bool from_logits = false;
    bool sum = false; // reduction over the batch: sum instead of mean
    Framework framework = Framework::Keras;
};

// Targets come as the data generator makes them: Integer -> int64 [N]; OneHot -> float [N, K];
// Binary -> float [N, 1]; Real -> float [N, W].
// Throws std::invalid_argument for a loss name it does not know.
torch::Tensor compute_loss(const LossSpec& spec, const torch::Tensor& output, const torch::Tensor& target);

// Whether the name is a loss the probe computes.
bool known_loss(const std::string& name);

// Share of correct predictions the way Keras' "accuracy" metric picks it for this loss and output width
// (binary accuracy for binary cross-entropy and one-unit outputs, categorical otherwise). `logits` shifts the
// binary threshold from 0.5 to 0.
double accuracy(const LossSpec& spec, const torch::Tensor& output, const torch::Tensor& target,
                LabelFormat labels);

} // namespace faultline::probe
