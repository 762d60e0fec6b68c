// Unknown sizes as a reader assumes them. A script that computes a layer's width from its data
// (`Dense(len(chars))`, `num_classes = np.max(y_train) + 1`) or its vocabulary from preprocessing still has a
// network a reader can picture: the output as wide as the classes (10 when the data does not say), a hidden
// layer of 128 units, 32 filters, a vocabulary of 10,000 tokens. The probe trains that network; the value
// stays Unknown for the checks, and a note names each assumption.
#include "extract.h"

#include <algorithm>

namespace faultline {

namespace {

constexpr int64_t kAssumedClasses = 10;
constexpr int64_t kAssumedHiddenUnits = 128;
constexpr int64_t kAssumedFilters = 32;
constexpr double kAssumedVocabulary = 10000;

bool sized_by_units(const std::string& kind) {
    return kind == "Dense" || kind == "Conv1D" || kind == "Conv2D" || kind == "SimpleRNN" || kind == "LSTM" ||
           kind == "GRU" || kind == "Embedding";
}

bool regression_or_binary(const Loss& loss) {
    static const char* const kOneUnit[] = {"binary_crossentropy",
                                           "mean_squared_error",
                                           "mean_absolute_error",
                                           "mean_absolute_percentage_error",
                                           "mean_squared_logarithmic_error",
                                           "huber",
                                           "logcosh",
                                           "hinge",
                                           "squared_hinge"};
    return loss.name.known() &&
           std::find(std::begin(kOneUnit), std::end(kOneUnit), *loss.name) != std::end(kOneUnit);
}

// The width of the output layer when the script computes it: the data's classes when known, else one unit
// for a binary or regression loss, else 10 classes.
std::pair<int64_t, std::string> output_width(const TrainingProgram& p) {
    if (p.data.num_classes.known())
        return {*p.data.num_classes, "the data's " + std::to_string(*p.data.num_classes) + " classes"};
    if (regression_or_binary(p.loss)) return {1, "one output for the " + *p.loss.name + " loss"};
    return {kAssumedClasses, "10 classes"};
}

std::string layer_name(const Layer& l) {
    return l.kind == "Conv1D" || l.kind == "Conv2D" ? "filters of this " + l.kind : "units of this " + l.kind;
}

void assume_units(const Context& cx, Layer& l, bool output) {
    if (l.units.known() || l.units.assumed || !sized_by_units(l.kind) || l.kind == "Embedding") return;
    std::string why = l.units.note.empty() ? "not known" : l.units.note;
    if (output) {
        auto [width, reason] = output_width(cx.prog);
        l.units.assumed = width;
        cx.assume(l.span, std::to_string(width) + " " + layer_name(l) + " (" + reason + "): " + why);
        return;
    }
    bool conv = l.kind == "Conv1D" || l.kind == "Conv2D";
    l.units.assumed = conv ? kAssumedFilters : kAssumedHiddenUnits;
    cx.assume(l.span, std::to_string(*l.units.assumed) + " " + layer_name(l) + ": " + why);
}

void assume_vocabulary(const Context& cx, Layer& l) {
    if (l.kind != "Embedding") return;
    auto it = l.params.find("input_dim");
    if (it != l.params.end() && it->second.known()) return;
    Value<double>& vocab = l.params["input_dim"];
    if (vocab.note.empty()) vocab = unknown_value<double>(l.span, "the vocabulary size is not given");
    vocab.assumed = kAssumedVocabulary;
    cx.assume(l.span, "a vocabulary of 10000 tokens for this Embedding: " + vocab.note);
}

} // namespace

void assume_unknown_sizes(Context& cx) {
    auto& layers = cx.prog.layers;
    // The output layer is the last one that has a width of its own.
    size_t output = layers.size();
    for (size_t i = layers.size(); i-- > 0;)
        if (sized_by_units(layers[i].kind) || !layers[i].inner.empty()) {
            output = i;
            break;
        }
    for (size_t i = 0; i < layers.size(); ++i) {
        Layer& l = layers[i];
        assume_vocabulary(cx, l);
        for (Layer& inner : l.inner)
            assume_units(cx, inner, i == output);
        if (!l.inner.empty() && !l.units.known() && !l.inner.front().units.known())
            l.units.assumed = l.inner.front().units.assumed;
        else
            assume_units(cx, l, i == output);
    }
}

} // namespace faultline
