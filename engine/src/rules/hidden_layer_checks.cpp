// FL121-FL125: hidden layers. Facts: a composition of affine maps is affine (so Dense layers without a
// non-linearity between them add no capacity; NeuraLint's rule on missing activations between layers), and
// Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural networks" (AISTATS
// 2010): with sigmoid/tanh hidden layers the gradients shrink layer by layer and the top sigmoid layer
// saturates; their experiments use 5 hidden layers.
#include "rules/checks.h"

#include <vector>

namespace faultline::rules {
namespace {

// Sigmoid/tanh hidden layers from which vanishing gradients are the expected outcome (Glorot & Bengio 2010).
constexpr int kMinSaturatingLayers = 5;

// Layers that are linear in their input (or identity at training time for the purpose of composition).
bool is_linear_passthrough(const Layer& l) {
    return l.kind == "Dropout" || l.kind == "Flatten" || l.kind == "Reshape" ||
           l.kind == "BatchNormalization";
}

// The activation applied after a weighted layer: its own when it is not linear, else the Activation-like
// layer that follows it before the next weighted layer. Null when unknown.
const Value<std::string>* effective_activation(const std::vector<Layer>& layers, size_t i) {
    const Value<std::string>& own = layers[i].activation;
    if (!own.known()) return nullptr;
    if (*own != "linear") return &own;
    for (size_t j = i + 1; j < layers.size(); ++j) {
        if (is_activation_layer(layers[j]))
            return layers[j].kind == "Activation" ? &layers[j].activation : nullptr;
        if (!is_linear_passthrough(layers[j])) break;
    }
    return &own;
}

// Whether any layer before the output adds a non-linearity. Unknown activations count as non-linear, so the
// stronger severity is only used when the whole network is visibly one linear map.
bool has_hidden_nonlinearity(const std::vector<Layer>& layers, const Layer* output) {
    for (const auto& l : layers) {
        if (&l == output) break;
        if (l.kind == "LSTM" || l.kind == "GRU" || l.kind == "SimpleRNN" || l.kind == "Bidirectional" ||
            l.kind.rfind("MaxPooling", 0) == 0 || l.kind.rfind("GlobalMaxPooling", 0) == 0)
            return true;
        if (is_activation_layer(l) || is_weighted_layer(l))
            if (!l.activation.known() || *l.activation != "linear") return true;
    }
    return false;
}

// Whether the script builds something between two layers that the parser could not read (a custom layer
// class, an unsupported layer): it may be the non-linearity, so the pair is not judged.
bool unread_between(const TrainingProgram& p, const Layer& first, const Layer& second) {
    for (const auto& note : p.notes)
        if (note.span.start_byte >= first.span.end_byte && note.span.end_byte <= second.span.start_byte)
            return true;
    return false;
}

void stacked_linear(CheckContext& ctx) {
    const auto& layers = ctx.program.layers;
    const bool whole_network_linear = !has_hidden_nonlinearity(layers, ctx.output.layer);
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (l.kind != "Dense" || !l.activation.known() || *l.activation != "linear") continue;
        size_t j = i + 1;
        while (j < layers.size() && is_linear_passthrough(layers[j]))
            ++j;
        if (j >= layers.size() || layers[j].kind != "Dense") continue;
        const Layer& next = layers[j];
        if (unread_between(ctx.program, l, next)) continue;
        Finding* f = ctx.add(
            "FL121",
            whole_network_linear ? "Dense layer without activation feeds another Dense layer: the whole "
                                   "network is one linear map"
                                 : "Dense layer without activation feeds another Dense layer: the two "
                                   "collapse into one linear map",
            "Without a non-linearity between them, `W2 (W1 x + b1) + b2` is a single affine map `W x + b`: "
            "the "
            "first layer adds parameters but no capacity." +
                std::string(
                    whole_network_linear
                        ? " No layer of this network adds a non-linearity, so it can only learn linear "
                          "functions of its input."
                        : " The rest of the network is non-linear, so this only wastes the layer.") +
                "\n\n**Fix:** add a hidden activation such as `activation='relu'` to the first layer.",
            activation_site(l, l.activation));
        if (!f) continue;
        // Harmless redundancy when another layer is non-linear: a hint, not an alarm.
        if (!whole_network_linear) f->severity = Severity::Information;
        add_related(*f, next.span, "next Dense layer");
        if (l.activation.kind == OriginKind::Default && ctx.program.framework != Framework::PyTorch)
            if (auto anchor = units_argument(l))
                f->fixes.push_back(
                    make_fix("Add activation='relu'", {insert_after(*anchor, ", activation='relu'")}));
        if (l.activation.kind == OriginKind::Literal)
            if (auto edit = replace_string_value(l.activation, "relu"))
                f->fixes.push_back(make_fix("Use the 'relu' activation", {*edit}));
    }
}

void saturating_stack(CheckContext& ctx) {
    const auto& layers = ctx.program.layers;
    const Layer* output = ctx.output.layer;
    std::vector<const Value<std::string>*> saturating;
    std::vector<Span> spans;
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (l.kind != "Dense" || &l == output) continue;
        const Value<std::string>* act = effective_activation(layers, i);
        if (!act || !act->known() || (**act != "sigmoid" && **act != "tanh")) continue;
        saturating.push_back(act);
        spans.push_back(value_span(*act, l.span));
    }
    if (static_cast<int>(saturating.size()) < kMinSaturatingLayers) return;
    Finding* f = ctx.add("FL122",
                         std::to_string(saturating.size()) + " hidden layers use " + **saturating.front() +
                             ": gradients vanish through a stack of saturating activations",
                         "The derivative of sigmoid is at most 0.25 and that of tanh at most 1, and both are "
                         "near 0 once a unit "
                         "saturates. Back-propagated through many such layers the gradient shrinks "
                         "geometrically, so the first "
                         "layers barely learn (Glorot & Bengio, AISTATS 2010).\n\n**Fix:** use `relu` in the "
                         "hidden layers (and "
                         "fewer layers if the task is small).",
                         spans.front());
    if (!f) return;
    std::vector<Replacement> edits;
    for (size_t k = 0; k < saturating.size(); ++k) {
        if (k > 0) add_related(*f, spans[k], "saturating layer");
        if (auto edit = replace_string_value(*saturating[k], "relu")) edits.push_back(*edit);
    }
    if (edits.size() == saturating.size())
        f->fixes.push_back(make_fix("Use relu in the hidden layers", std::move(edits)));
}

bool constant_initializer(const Value<std::string>& init) {
    return init.known() && (*init == "zeros" || *init == "ones" || *init == "constant");
}

// Goodfellow, Bengio, Courville, Deep Learning (2016), section 8.4: units of a layer that start with the same
// weights receive the same gradient and stay identical, so the layer behaves like a single unit; random
// initialisation exists to break that symmetry. Only hidden layers of several units are affected: a
// zero-initialised output unit of a logistic regression trains normally.
void constant_initializer_in_hidden_layer(CheckContext& ctx) {
    std::vector<const Layer*> constant;
    for (const auto& l : ctx.program.layers) {
        if (&l == ctx.output.layer) break;
        if (l.kind != "Dense" && l.kind != "Conv1D" && l.kind != "Conv2D") continue;
        if (constant_initializer(l.kernel_initializer) && l.units.known() && *l.units >= 2)
            constant.push_back(&l);
    }
    if (constant.empty()) return;
    const Layer& first = *constant.front();
    const std::string& name = *first.kernel_initializer;
    Finding* f = ctx.add(
        "FL123",
        "kernel_initializer='" + name + "' gives all " + std::to_string(*first.units) +
            " units of this hidden layer the same weights: they stay identical",
        "Units that start with identical weights compute the same output, receive the same gradient and "
        "remain "
        "copies of each other, so the layer acts as a single unit (with zeros and relu, no gradient flows at "
        "all). Random initialisation breaks this symmetry (Goodfellow et al., Deep Learning, "
        "8.4).\n\n**Fix:** "
        "use the default `glorot_uniform`, or `he_normal` for relu layers.",
        value_span(first.kernel_initializer, first.span));
    if (!f) return;
    // One finding for the shared cause, one fix for every hidden layer built the same way.
    std::vector<Replacement> edits;
    for (const Layer* l : constant) {
        if (l != &first) add_related(*f, value_span(l->kernel_initializer, l->span), "same initializer");
        if (auto edit = replace_string_value(l->kernel_initializer, "glorot_uniform")) edits.push_back(*edit);
    }
    if (edits.size() == constant.size())
        f->fixes.push_back(make_fix("Use kernel_initializer='glorot_uniform'", std::move(edits)));
}

// Softmax normalises a layer's units to sum to 1: as a hidden representation it forces the units to compete,
// so all but a few are near 0 with near-zero gradient, and the whole layer carries about one unit of
// information. It belongs on the output of a classifier (Keras and PyTorch documentation; a Dense softmax
// layer anywhere else in a feed-forward stack is a misplaced output activation).
void softmax_in_hidden_layer(CheckContext& ctx) {
    const auto& layers = ctx.program.layers;
    for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        if (&l == ctx.output.layer) break;
        if (l.kind != "Dense" || !l.units.known() || *l.units < 2) continue;
        const Value<std::string>* act = effective_activation(layers, i);
        if (!act || !act->known() || **act != "softmax") continue;
        Finding* f =
            ctx.add("FL124",
                    "softmax on a hidden layer of " + std::to_string(*l.units) +
                        " units: the units compete and most of them carry no signal",
                    "Softmax makes a layer's outputs sum to 1. In a hidden layer this forces its units to "
                    "compete: most outputs are near 0, their gradients vanish, and the next layer sees "
                    "little more than which unit won.\n\n**Fix:** use `relu` in hidden layers; keep "
                    "softmax for the output of a classifier.",
                    value_span(*act, l.span));
        if (!f) continue;
        if (auto edit = replace_string_value(*act, "relu"))
            f->fixes.push_back(make_fix("Use the 'relu' activation", {*edit}));
    }
}

// NeuraLint's f003 ("multiple and redundant connected activations are not allowed"): an Activation layer
// right after a layer that already applies a non-linear activation. Two squashing functions in a row
// (softmax after softmax, sigmoid after sigmoid) compress the output into a narrow band and shrink its
// gradient; relu after relu is only redundant.
void redundant_activation(CheckContext& ctx) {
    const auto& layers = ctx.program.layers;
    auto squashing = [](const std::string& a) {
        return a == "softmax" || a == "sigmoid" || a == "tanh" || a == "log_softmax";
    };
    for (size_t i = 0; i + 1 < layers.size(); ++i) {
        const Layer& l = layers[i];
        const Layer& next = layers[i + 1];
        if (!is_weighted_layer(l) || next.kind != "Activation") continue;
        if (!l.activation.known() || !next.activation.known()) continue;
        const std::string& first = *l.activation;
        const std::string& second = *next.activation;
        if (first == "linear" || second == "linear") continue;
        Finding* f = ctx.add(
            "FL125", "activation '" + second + "' applied after the layer's own '" + first + "' activation",
            "The layer already applies " + first + "; applying " + second + " on top of it " +
                (squashing(first) || squashing(second)
                     ? "squashes the output twice into a narrow band, which shrinks its gradient "
                       "and (for a double softmax) flattens the predicted distribution."
                     : "changes nothing but costs a layer.") +
                "\n\n**Fix:** keep one activation: drop the Activation layer or the layer's "
                "`activation=` argument.",
            value_span(next.activation, next.span));
        if (!f) continue;
        add_related(*f, activation_site(l, l.activation), "first activation");
        if (!squashing(first) && !squashing(second)) f->severity = Severity::Information;
    }
}

} // namespace

void check_hidden_layers(CheckContext& ctx) {
    redundant_activation(ctx);
    softmax_in_hidden_layer(ctx);
    stacked_linear(ctx);
    saturating_stack(ctx);
    constant_initializer_in_hidden_layer(ctx);
}

} // namespace faultline::rules
