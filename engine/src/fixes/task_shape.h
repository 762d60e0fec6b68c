// What the program's output layer and labels ask for: the kind of task, and the loss and last activation that
// fit it. The fixes derive their targets from this, not from the (possibly faulty) loss or activation alone.
#pragma once

#include "faultline/parser/program.h"

#include <optional>
#include <string>
#include <vector>

namespace faultline::fixes {

enum class TaskKind { Binary, Multiclass, Regression, Unknown };

// The layer that computes the output and the value that decides its activation: an activation layer after it
// (Activation('softmax')) decides over the layer's own `activation=` argument, as in the forward pass.
struct OutputLayer {
    int index = -1;            // in program.layers; -1 when there is no layer with units
    int activation_index = -1; // the layer whose activation value applies (== index when none follows)
    std::string activation;    // canonical, "linear" when none is set, "" when unknown
    std::optional<int64_t> units;
};

OutputLayer output_layer(const TrainingProgram& program);
TaskKind task_kind(const TrainingProgram& program);
const char* to_string(TaskKind kind);

bool is_regression_loss(const std::string& loss);
bool is_weighted_kind(const std::string& kind);   // Dense, Conv*, RNNs: layers that end a run of activations
bool is_activation_kind(const std::string& kind); // Activation, Softmax, LeakyReLU, PReLU, ELU

// Keras loss names, best fit first, for the task and label format; empty when nothing is known.
std::vector<std::string> fitting_losses(const TrainingProgram& program);
// The output activation that fits the program's task and loss; "" when unknown.
std::string fitting_output_activation(const TrainingProgram& program);

} // namespace faultline::fixes
