#include "names.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace faultline {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

template <class Map> std::optional<std::string> find(const Map& m, const std::string& key) {
    auto it = m.find(key);
    if (it == m.end()) return std::nullopt;
    return std::string(it->second);
}

} // namespace

std::string snake_case(std::string_view camel) {
    std::string out;
    for (size_t i = 0; i < camel.size(); ++i) {
        char c = camel[i];
        bool upper = std::isupper(static_cast<unsigned char>(c));
        if (upper && i > 0) {
            bool prev_lower = std::islower(static_cast<unsigned char>(camel[i - 1])) ||
                              std::isdigit(static_cast<unsigned char>(camel[i - 1]));
            bool next_lower = i + 1 < camel.size() && std::islower(static_cast<unsigned char>(camel[i + 1]));
            bool prev_upper = std::isupper(static_cast<unsigned char>(camel[i - 1]));
            if (prev_lower || (prev_upper && next_lower)) out += '_';
        }
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::optional<std::string> keras_layer_kind(std::string_view class_name) {
    static const std::unordered_map<std::string_view, std::string_view> kinds = {
        {"Dense", "Dense"},
        {"Activation", "Activation"},
        {"Dropout", "Dropout"},
        {"SpatialDropout1D", "Dropout"},
        {"SpatialDropout2D", "Dropout"},
        {"Flatten", "Flatten"},
        {"Reshape", "Reshape"},
        {"RepeatVector", "RepeatVector"},
        {"Conv1D", "Conv1D"},
        {"Convolution1D", "Conv1D"},
        {"Conv2D", "Conv2D"},
        {"Convolution2D", "Conv2D"},
        {"MaxPooling1D", "MaxPooling1D"},
        {"MaxPool1D", "MaxPooling1D"},
        {"MaxPooling2D", "MaxPooling2D"},
        {"MaxPool2D", "MaxPooling2D"},
        {"AveragePooling1D", "AveragePooling1D"},
        {"AvgPool1D", "AveragePooling1D"},
        {"AveragePooling2D", "AveragePooling2D"},
        {"AvgPool2D", "AveragePooling2D"},
        {"GlobalMaxPooling1D", "GlobalMaxPooling1D"},
        {"GlobalMaxPool1D", "GlobalMaxPooling1D"},
        {"GlobalMaxPooling2D", "GlobalMaxPooling2D"},
        {"GlobalMaxPool2D", "GlobalMaxPooling2D"},
        {"GlobalAveragePooling1D", "GlobalAveragePooling1D"},
        {"GlobalAvgPool1D", "GlobalAveragePooling1D"},
        {"GlobalAveragePooling2D", "GlobalAveragePooling2D"},
        {"GlobalAvgPool2D", "GlobalAveragePooling2D"},
        {"BatchNormalization", "BatchNormalization"},
        {"Embedding", "Embedding"},
        {"SimpleRNN", "SimpleRNN"},
        {"LSTM", "LSTM"},
        {"CuDNNLSTM", "LSTM"},
        {"GRU", "GRU"},
        {"CuDNNGRU", "GRU"},
        {"Bidirectional", "Bidirectional"},
        {"TimeDistributed", "TimeDistributed"},
        {"LeakyReLU", "LeakyReLU"},
        {"PReLU", "PReLU"},
        {"ELU", "ELU"},
        {"Softmax", "Softmax"},
        {"ReLU", "Activation"},
    };
    auto it = kinds.find(class_name);
    if (it == kinds.end()) return std::nullopt;
    return std::string(it->second);
}

std::optional<std::string> activation_name(std::string_view name) {
    static const std::unordered_map<std::string, std::string_view> names = {
        {"linear", "linear"},
        {"none", "linear"},
        {"identity", "linear"},
        {"relu", "relu"},
        {"relu6", "relu"},
        {"sigmoid", "sigmoid"},
        {"softmax", "softmax"},
        {"tanh", "tanh"},
        {"softplus", "softplus"},
        {"softsign", "softsign"},
        {"selu", "selu"},
        {"elu", "elu"},
        {"exponential", "exponential"},
        {"exp", "exponential"},
        {"hard_sigmoid", "hard_sigmoid"},
        {"hardsigmoid", "hard_sigmoid"},
        {"swish", "swish"},
        {"silu", "swish"},
        {"gelu", "gelu"},
        {"leaky_relu", "leaky_relu"},
        {"leakyrelu", "leaky_relu"},
        {"log_softmax", "log_softmax"},
        {"logsoftmax", "log_softmax"},
    };
    return find(names, lower(name));
}

std::optional<std::string> loss_name(std::string_view name) {
    static const std::unordered_map<std::string, std::string_view> names = {
        {"categorical_crossentropy", "categorical_crossentropy"},
        {"categoricalcrossentropy", "categorical_crossentropy"},
        {"sparse_categorical_crossentropy", "sparse_categorical_crossentropy"},
        {"sparsecategoricalcrossentropy", "sparse_categorical_crossentropy"},
        {"binary_crossentropy", "binary_crossentropy"},
        {"binarycrossentropy", "binary_crossentropy"},
        {"mean_squared_error", "mean_squared_error"},
        {"meansquarederror", "mean_squared_error"},
        {"mse", "mean_squared_error"},
        {"mean_absolute_error", "mean_absolute_error"},
        {"meanabsoluteerror", "mean_absolute_error"},
        {"mae", "mean_absolute_error"},
        {"mean_absolute_percentage_error", "mean_absolute_percentage_error"},
        {"meanabsolutepercentageerror", "mean_absolute_percentage_error"},
        {"mape", "mean_absolute_percentage_error"},
        {"mean_squared_logarithmic_error", "mean_squared_logarithmic_error"},
        {"meansquaredlogarithmicerror", "mean_squared_logarithmic_error"},
        {"msle", "mean_squared_logarithmic_error"},
        {"hinge", "hinge"},
        {"squared_hinge", "squared_hinge"},
        {"squaredhinge", "squared_hinge"},
        {"categorical_hinge", "categorical_hinge"},
        {"categoricalhinge", "categorical_hinge"},
        {"kl_divergence", "kl_divergence"},
        {"kldivergence", "kl_divergence"},
        {"kld", "kl_divergence"},
        {"kullback_leibler_divergence", "kl_divergence"},
        {"poisson", "poisson"},
        {"cosine_similarity", "cosine_similarity"},
        {"cosinesimilarity", "cosine_similarity"},
        {"cosine_proximity", "cosine_similarity"},
        {"cosine", "cosine_similarity"},
        {"logcosh", "logcosh"},
        {"log_cosh", "logcosh"},
        {"huber", "huber"},
        {"huber_loss", "huber"},
        {"nll", "nll"},
    };
    return find(names, lower(name));
}

std::optional<std::string> optimizer_name(std::string_view name) {
    std::string n = lower(name);
    if (n.size() > 9 && n.ends_with("optimizer")) n = n.substr(0, n.size() - 9);
    static const std::unordered_map<std::string, std::string_view> names = {
        {"sgd", "sgd"},         {"gradientdescent", "sgd"}, {"momentum", "sgd"},      {"adam", "adam"},
        {"rmsprop", "rmsprop"}, {"adagrad", "adagrad"},     {"adadelta", "adadelta"}, {"adamax", "adamax"},
        {"nadam", "nadam"},     {"adamw", "adamw"},         {"ftrl", "ftrl"},
    };
    return find(names, n);
}

std::optional<std::string> initializer_name(std::string_view name) {
    static const std::unordered_map<std::string, std::string_view> names = {
        {"glorot_uniform", "glorot_uniform"},
        {"glorotuniform", "glorot_uniform"},
        {"xavier_uniform", "glorot_uniform"},
        {"glorot_normal", "glorot_normal"},
        {"glorotnormal", "glorot_normal"},
        {"xavier_normal", "glorot_normal"},
        {"he_normal", "he_normal"},
        {"henormal", "he_normal"},
        {"kaiming_normal", "he_normal"},
        {"he_uniform", "he_uniform"},
        {"heuniform", "he_uniform"},
        {"kaiming_uniform", "he_uniform"},
        {"lecun_normal", "lecun_normal"},
        {"lecunnormal", "lecun_normal"},
        {"lecun_uniform", "lecun_uniform"},
        {"lecununiform", "lecun_uniform"},
        {"zeros", "zeros"},
        {"zero", "zeros"},
        {"ones", "ones"},
        {"one", "ones"},
        {"normal", "random_normal"},
        {"random_normal", "random_normal"},
        {"randomnormal", "random_normal"},
        {"uniform", "random_uniform"},
        {"random_uniform", "random_uniform"},
        {"randomuniform", "random_uniform"},
        {"truncated_normal", "truncated_normal"},
        {"truncatednormal", "truncated_normal"},
        {"orthogonal", "orthogonal"},
        {"identity", "identity"},
        {"constant", "constant"},
        {"variance_scaling", "variance_scaling"},
        {"variancescaling", "variance_scaling"},
    };
    return find(names, lower(name));
}

} // namespace faultline
