// How an activation treats the gradient flowing back through it: one table shared by the diagnosis features,
// localization and the quick fixes, so that they agree on what counts as a saturating hidden layer.
#pragma once

#include <string_view>

namespace faultline {

enum class ActivationFamily {
    ReluLike,   // unbounded above, gradient 1 on the active side: relu and its relatives
    Saturating, // bounded: the gradient vanishes away from zero (sigmoid, tanh, softmax...)
    Linear,     // identity: stacked linear layers collapse into one linear map
    Other,      // softplus, exponential, or a name this table does not know
};

// `name` is the Keras spelling (`hard_sigmoid`, `leaky_relu`), as the parser normalizes it.
ActivationFamily activation_family(std::string_view name);

// What the hidden_activation fault is about: a hidden layer that saturates or is linear.
inline bool hinders_hidden_layers(std::string_view name) {
    const ActivationFamily f = activation_family(name);
    return f == ActivationFamily::Saturating || f == ActivationFamily::Linear;
}

} // namespace faultline
