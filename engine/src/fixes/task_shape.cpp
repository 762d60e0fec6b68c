#include "fixes/task_shape.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace faultline::fixes {

bool is_regression_loss(const std::string& loss) {
    static constexpr std::array<std::string_view, 7> kRegression{"mean_squared_error",
                                                                 "mean_absolute_error",
                                                                 "mean_absolute_percentage_error",
                                                                 "mean_squared_logarithmic_error",
                                                                 "huber",
                                                                 "logcosh",
                                                                 "poisson"};
    return std::find(kRegression.begin(), kRegression.end(), loss) != kRegression.end();
}

bool is_weighted_kind(const std::string& kind) {
    static constexpr std::array<std::string_view, 8> kWeighted{
        "Dense", "Conv1D", "Conv2D", "SimpleRNN", "LSTM", "GRU", "Embedding", "Bidirectional"};
    return std::find(kWeighted.begin(), kWeighted.end(), kind) != kWeighted.end() ||
           kind == "TimeDistributed";
}

bool is_activation_kind(const std::string& kind) {
    return kind == "Activation" || kind == "Softmax" || kind == "LeakyReLU" || kind == "PReLU" ||
           kind == "ELU";
}

OutputLayer output_layer(const TrainingProgram& program) {
    OutputLayer out;
    const auto& layers = program.layers;
    for (int i = static_cast<int>(layers.size()) - 1; i >= 0; --i) {
        if (is_weighted_kind(layers[i].kind) && layers[i].kind != "Embedding") {
            out.index = i;
            break;
        }
    }
    if (out.index < 0) return out;
    const Layer& layer = layers[out.index];
    const Layer& units_layer = layer.inner.empty() ? layer : layer.inner.front();
    if (units_layer.units.known()) out.units = *units_layer.units;
    out.activation_index = out.index;
    // The last activation layer of the run after the output layer is the one the network ends with.
    for (int i = out.index + 1; i < static_cast<int>(layers.size()); ++i)
        if (is_activation_kind(layers[i].kind)) out.activation_index = i;
    const Layer& act = layers[out.activation_index];
    if (act.kind == "Softmax") {
        out.activation = "softmax";
    } else if (act.activation.known()) {
        out.activation = *act.activation;
    } else if (act.activation.kind == OriginKind::Default) {
        out.activation = "linear";
    } else if (act.kind != "Activation" && out.activation_index == out.index && !layer.inner.empty() &&
               layer.inner.front().activation.known()) {
        out.activation = *layer.inner.front().activation;
    }
    return out;
}

TaskKind task_kind(const TrainingProgram& program) {
    OutputLayer out = output_layer(program);
    const Data& data = program.data;
    auto classes = data.num_classes.known() ? *data.num_classes : 0;
    switch (data.labels) {
    case LabelFormat::Real:
        return TaskKind::Regression;
    case LabelFormat::Binary:
        return TaskKind::Binary;
    case LabelFormat::OneHot:
        return out.units && *out.units == 1 ? TaskKind::Binary : TaskKind::Multiclass;
    case LabelFormat::Integer:
        if (classes > 2) return TaskKind::Multiclass;
        if (out.units && *out.units > 1) return TaskKind::Multiclass;
        return TaskKind::Binary;
    case LabelFormat::Unknown:
        break;
    }
    if (classes > 2) return TaskKind::Multiclass;
    const std::string loss = program.loss.name.value_or("");
    if (out.units && *out.units > 1) {
        if (out.activation == "softmax" || loss.find("categorical_crossentropy") != std::string::npos ||
            loss == "nll")
            return TaskKind::Multiclass;
        return TaskKind::Unknown;
    }
    if (out.units && *out.units == 1) {
        if (classes == 2 || out.activation == "sigmoid" || loss == "binary_crossentropy")
            return TaskKind::Binary;
        if (is_regression_loss(loss) && (out.activation == "linear" || out.activation == "relu"))
            return TaskKind::Regression;
    }
    return TaskKind::Unknown;
}

const char* to_string(TaskKind kind) {
    switch (kind) {
    case TaskKind::Binary:
        return "binary classification";
    case TaskKind::Multiclass:
        return "multi-class classification";
    case TaskKind::Regression:
        return "regression";
    case TaskKind::Unknown:
        break;
    }
    return "unknown task";
}

std::vector<std::string> fitting_losses(const TrainingProgram& program) {
    switch (task_kind(program)) {
    case TaskKind::Multiclass:
        if (program.data.labels == LabelFormat::Integer) return {"sparse_categorical_crossentropy"};
        if (program.data.labels == LabelFormat::OneHot) return {"categorical_crossentropy"};
        return {"categorical_crossentropy", "sparse_categorical_crossentropy"};
    case TaskKind::Binary:
        return {"binary_crossentropy"};
    case TaskKind::Regression:
        return {"mean_squared_error"};
    case TaskKind::Unknown:
        break;
    }
    return {};
}

std::string fitting_output_activation(const TrainingProgram& program) {
    TaskKind kind = task_kind(program);
    // A loss on logits (PyTorch CrossEntropyLoss, from_logits=True) wants no squashing at the output.
    if (program.loss.from_logits && (kind == TaskKind::Multiclass || kind == TaskKind::Binary))
        return "linear";
    switch (kind) {
    case TaskKind::Multiclass:
        return "softmax";
    case TaskKind::Binary:
        return "sigmoid";
    case TaskKind::Regression:
        return "linear";
    case TaskKind::Unknown:
        break;
    }
    const std::string loss = program.loss.name.value_or("");
    if (loss == "categorical_crossentropy" || loss == "sparse_categorical_crossentropy") return "softmax";
    if (loss == "binary_crossentropy") return "sigmoid";
    if (is_regression_loss(loss)) return "linear";
    return "";
}

} // namespace faultline::fixes
