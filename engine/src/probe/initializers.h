// Weight initializers by the names scripts use (Keras names, Keras 1 names and torch.nn.init names), with the
// framework's own fan computation and constants.
#pragma once

#include <torch/torch.h>

#include <string>

namespace faultline::probe {

struct InitSettings {
    double stddev = 0.05; // random_normal / truncated_normal (Keras 2 defaults)
    double minval = -0.05;
    double maxval = 0.05;
};

// Fills `w` in place (under NoGradGuard). Returns false for a name it does not know, leaving `w` unchanged.
// Fans follow the weight's torch layout: [out, in, kernel...] as Keras computes them for its [kernel..., in,
// out].
bool initialize(torch::Tensor& w, const std::string& name, const InitSettings& settings = {});

// Canonical spelling: "xavier_uniform" -> "glorot_uniform", "kaiming_normal_" -> "he_normal", "normal" ->
// "random_normal", ...; unknown names come back unchanged.
std::string canonical_initializer(const std::string& name);

} // namespace faultline::probe
