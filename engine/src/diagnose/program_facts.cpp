#include "diagnose/program_facts.h"

#include "faultline/engine/activations.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace faultline::diag {

LossFamily loss_family(const std::string& loss) {
    static const std::set<std::string> probabilistic = {"categorical_crossentropy",
                                                        "sparse_categorical_crossentropy",
                                                        "binary_crossentropy",
                                                        "kl_divergence",
                                                        "nll",
                                                        "poisson"};
    static const std::set<std::string> regression = {"mean_squared_error",
                                                     "mean_absolute_error",
                                                     "mean_absolute_percentage_error",
                                                     "mean_squared_logarithmic_error",
                                                     "huber",
                                                     "logcosh",
                                                     "cosine_similarity"};
    static const std::set<std::string> hinge = {"hinge", "squared_hinge", "categorical_hinge"};
    if (loss.empty()) return LossFamily::Unknown;
    if (probabilistic.count(loss)) return LossFamily::Probabilistic;
    if (regression.count(loss)) return LossFamily::Regression;
    if (hinge.count(loss)) return LossFamily::Hinge;
    return LossFamily::Other;
}

double default_lr(const std::string& optimizer, Framework framework) {
    // Standalone Keras 2.x and PyTorch keep the historical defaults; tf.keras 2.x moved Adagrad and Adadelta
    // to 0.001.
    const bool tf_keras = framework == Framework::TfKeras;
    if (optimizer == "sgd") return 0.01;
    if (optimizer == "adam" || optimizer == "adamw") return 0.001;
    if (optimizer == "rmsprop") return framework == Framework::PyTorch ? 0.01 : 0.001;
    if (optimizer == "adagrad") return tf_keras ? 0.001 : 0.01;
    if (optimizer == "adadelta") return tf_keras ? 0.001 : 1.0;
    if (optimizer == "adamax" || optimizer == "nadam") return 0.002;
    return 0.0;
}

namespace {

bool has_weights(const std::string& kind) {
    return kind == "Dense" || kind == "Conv1D" || kind == "Conv2D" || kind == "Embedding" ||
           kind == "SimpleRNN" || kind == "LSTM" || kind == "GRU" || kind == "Bidirectional" ||
           kind == "TimeDistributed";
}

bool is_activation_layer(const std::string& kind) {
    return kind == "Activation" || kind == "Softmax" || kind == "LeakyReLU" || kind == "PReLU" ||
           kind == "ELU";
}

std::string activation_of(const Layer& layer) {
    if (layer.kind == "Softmax") return "softmax";
    if (layer.kind == "LeakyReLU" || layer.kind == "PReLU") return "leaky_relu";
    if (layer.kind == "ELU") return "elu";
    return layer.activation.value_or("linear");
}

} // namespace

ProgramFacts read_facts(const TrainingProgram& program) {
    ProgramFacts f;
    f.loss = program.loss.name.value_or("");
    f.loss_family = loss_family(f.loss);
    f.from_logits = program.loss.from_logits;
    f.optimizer = program.optimizer.name.value_or("");
    f.lr_written = program.optimizer.lr.known();
    f.lr = f.lr_written ? *program.optimizer.lr : default_lr(f.optimizer, program.framework);
    f.epochs = static_cast<double>(program.epochs.value_or(program.steps.value_or(0)));
    f.batch_size = static_cast<double>(program.batch_size.value_or(0));
    f.samples = static_cast<double>(program.data.num_samples.value_or(0));
    f.classes = static_cast<double>(program.data.num_classes.value_or(0));

    // The output: the last layer with units, and whatever activation follows it.
    int last_units = -1;
    for (size_t i = 0; i < program.layers.size(); ++i)
        if (program.layers[i].units.known() && program.layers[i].kind != "Embedding")
            last_units = static_cast<int>(i);
    f.output_activation = "linear";
    if (last_units >= 0) {
        const Layer& out = program.layers[static_cast<size_t>(last_units)];
        f.output_units = static_cast<double>(*out.units);
        f.output_activation = activation_of(out);
        for (size_t i = static_cast<size_t>(last_units) + 1; i < program.layers.size(); ++i)
            if (is_activation_layer(program.layers[i].kind))
                f.output_activation = activation_of(program.layers[i]);
    }

    int hidden = 0;
    for (size_t i = 0; i < program.layers.size(); ++i) {
        const Layer& l = program.layers[i];
        if (has_weights(l.kind)) ++f.depth;
        if (l.kind == "Dense") ++f.dense;
        if (l.kind == "Conv1D" || l.kind == "Conv2D") ++f.conv;
        if (l.kind == "SimpleRNN" || l.kind == "LSTM" || l.kind == "GRU" || l.kind == "Bidirectional")
            ++f.recurrent;
        if (l.kind == "Embedding") ++f.embedding;
        if (f.initializer.empty() && l.kernel_initializer.known()) f.initializer = *l.kernel_initializer;
        if (static_cast<int>(i) >= last_units) continue;
        const bool carries =
            (l.kind == "Dense" || l.kind == "Conv1D" || l.kind == "Conv2D") || is_activation_layer(l.kind);
        if (!carries || (!is_activation_layer(l.kind) && !l.activation.known())) continue;
        const std::string a = activation_of(l);
        ++hidden;
        switch (activation_family(a)) {
        case ActivationFamily::ReluLike:
            f.hidden_relu += 1;
            break;
        case ActivationFamily::Saturating:
            f.hidden_saturating += 1;
            break;
        case ActivationFamily::Linear:
            f.hidden_linear += 1;
            break;
        case ActivationFamily::Other:
            break;
        }
    }
    if (hidden > 0) {
        f.hidden_relu /= hidden;
        f.hidden_saturating /= hidden;
        f.hidden_linear /= hidden;
    }

    switch (program.data.labels) {
    case LabelFormat::Binary:
        f.task = TaskKind::Binary;
        break;
    case LabelFormat::Real:
        f.task = TaskKind::Regression;
        break;
    case LabelFormat::Integer:
    case LabelFormat::OneHot:
        f.task = f.classes == 2 ? TaskKind::Binary : TaskKind::Multiclass;
        break;
    case LabelFormat::Unknown:
        if (f.classes == 2)
            f.task = TaskKind::Binary;
        else if (f.classes > 2)
            f.task = TaskKind::Multiclass;
        else if (f.loss == "binary_crossentropy")
            f.task = TaskKind::Binary;
        else if (f.loss == "categorical_crossentropy" || f.loss == "sparse_categorical_crossentropy")
            f.task = TaskKind::Multiclass;
        else if (f.loss_family == LossFamily::Regression)
            f.task = TaskKind::Regression;
        break;
    }
    if (program.data.scaled.known()) f.scaled = *program.data.scaled ? 1.0 : 0.0;
    f.input_max = program.data.input_max.value_or(0.0);
    return f;
}

} // namespace faultline::diag
