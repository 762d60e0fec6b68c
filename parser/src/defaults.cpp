#include "defaults.h"

#include <string>
#include <unordered_map>

namespace faultline {

std::optional<double> default_lr(Framework fw, std::string_view optimizer) {
    using Table = std::unordered_map<std::string_view, double>;
    // Keras 2.3 (standalone).
    static const Table keras = {{"sgd", 0.01},     {"adam", 0.001},   {"rmsprop", 0.001}, {"adagrad", 0.01},
                                {"adadelta", 1.0}, {"adamax", 0.002}, {"nadam", 0.002}};
    // tf.keras 2.x optimizers (Adadelta and Adagrad changed their defaults from Keras).
    static const Table tfkeras = {{"sgd", 0.01},      {"adam", 0.001},     {"rmsprop", 0.001},
                                  {"adagrad", 0.001}, {"adadelta", 0.001}, {"adamax", 0.001},
                                  {"nadam", 0.001},   {"adamw", 0.001},    {"ftrl", 0.001}};
    // torch.optim 1.13: SGD has no default (lr is required).
    static const Table torch = {{"adam", 0.001},   {"adamw", 0.001},  {"rmsprop", 0.01}, {"adagrad", 0.01},
                                {"adadelta", 1.0}, {"adamax", 0.002}, {"nadam", 0.002}};
    // tf.train (TF 1.x): only Adam and Adadelta have a default learning rate.
    static const Table tf1 = {{"adam", 0.001}, {"adadelta", 0.001}};
    const Table* table = &keras;
    switch (fw) {
    case Framework::TfKeras:
        table = &tfkeras;
        break;
    case Framework::PyTorch:
        table = &torch;
        break;
    case Framework::TF1:
        table = &tf1;
        break;
    default:
        break;
    }
    auto it = table->find(optimizer);
    if (it == table->end()) return std::nullopt;
    return it->second;
}

std::optional<double> default_epsilon(Framework fw, std::string_view optimizer) {
    using Table = std::unordered_map<std::string_view, double>;
    static const Table keras = {{"adam", 1e-7},    {"adamax", 1e-7},   {"nadam", 1e-7}, {"rmsprop", 1e-7},
                                {"adagrad", 1e-7}, {"adadelta", 1e-7}, {"adamw", 1e-7}};
    static const Table torch = {{"adam", 1e-8},    {"adamw", 1e-8},    {"adamax", 1e-8},  {"nadam", 1e-8},
                                {"rmsprop", 1e-8}, {"adagrad", 1e-10}, {"adadelta", 1e-6}};
    static const Table tf1 = {{"adam", 1e-8}, {"rmsprop", 1e-10}, {"adadelta", 1e-8}};
    const Table* table = &keras;
    if (fw == Framework::PyTorch) table = &torch;
    if (fw == Framework::TF1) table = &tf1;
    if (fw == Framework::Unknown) return std::nullopt;
    auto it = table->find(optimizer);
    if (it == table->end()) return std::nullopt;
    return it->second;
}

const char* preferred_lr_keyword(Framework fw) {
    switch (fw) {
    case Framework::Keras:
        return "lr";
    case Framework::PyTorch:
        return "lr";
    default:
        return "learning_rate";
    }
}

std::string_view default_activation(std::string_view layer_kind) {
    if (layer_kind == "SimpleRNN" || layer_kind == "LSTM" || layer_kind == "GRU") return "tanh";
    return "linear";
}

} // namespace faultline
