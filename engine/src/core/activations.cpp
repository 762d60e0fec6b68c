#include "faultline/engine/activations.h"

#include <array>

namespace faultline {

ActivationFamily activation_family(std::string_view name) {
    static constexpr std::array<std::string_view, 6> relu_like{"relu", "leaky_relu", "elu",
                                                               "selu", "gelu",       "swish"};
    static constexpr std::array<std::string_view, 5> saturating{"sigmoid", "tanh", "softsign", "hard_sigmoid",
                                                                "softmax"};
    for (auto n : relu_like)
        if (n == name) return ActivationFamily::ReluLike;
    for (auto n : saturating)
        if (n == name) return ActivationFamily::Saturating;
    if (name == "linear") return ActivationFamily::Linear;
    return ActivationFamily::Other;
}

} // namespace faultline
