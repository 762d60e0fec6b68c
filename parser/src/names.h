// One vocabulary for every framework: canonical names of layers, activations, losses, optimizers and
// initializers, whatever spelling or framework the script uses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faultline {

// "GlorotUniform" -> "glorot_uniform", "KLDivergence" -> "kl_divergence".
std::string snake_case(std::string_view camel);

// Keras layer class name (any version's spelling) -> canonical kind; nullopt when not a layer we read.
std::optional<std::string> keras_layer_kind(std::string_view class_name);
// 'relu', tf.nn.relu, keras.activations.relu, 'LeakyReLU', None -> canonical; nullopt when unknown.
std::optional<std::string> activation_name(std::string_view name);
// 'mse', 'categorical_crossentropy', CategoricalCrossentropy, keras.losses.mse -> canonical.
std::optional<std::string> loss_name(std::string_view name);
// 'adam', SGD, RMSprop, GradientDescentOptimizer, torch.optim.Adam -> canonical.
std::optional<std::string> optimizer_name(std::string_view name);
// 'normal', RandomNormal, glorot_uniform, he_normal() -> canonical.
std::optional<std::string> initializer_name(std::string_view name);

} // namespace faultline
