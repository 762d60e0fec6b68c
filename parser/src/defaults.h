// Framework defaults for settings a script leaves out. Sources: the Keras 2.3 and tf.keras 2.x API
// references, torch.optim 1.13 and TF 1.15 tf.train documentation.
#pragma once

#include "faultline/parser/program.h"

#include <optional>
#include <string_view>

namespace faultline {

// The default learning rate of `optimizer` (canonical name) in `fw`; nullopt when the framework requires one
// (torch.optim.SGD, most tf.train optimizers).
std::optional<double> default_lr(Framework fw, std::string_view optimizer);
// The epsilon an adaptive optimizer adds to its denominator when none is written (Keras and tf.keras 1e-7
// from K.epsilon(); tf.train Adam 1e-8, RMSProp 1e-10; torch.optim 1e-8, Adagrad 1e-10, Adadelta 1e-6);
// nullopt for optimizers without one (SGD, tf.train Adagrad).
std::optional<double> default_epsilon(Framework fw, std::string_view optimizer);
// The keyword a fix should write for the learning rate when the script does not name it.
const char* preferred_lr_keyword(Framework fw);
// Keras fit() defaults.
constexpr int64_t kKerasDefaultEpochs = 1;
constexpr int64_t kKerasDefaultBatchSize = 32;
// The activation a layer kind has when none is given (linear for Dense/Conv, tanh for recurrent layers).
std::string_view default_activation(std::string_view layer_kind);

} // namespace faultline
