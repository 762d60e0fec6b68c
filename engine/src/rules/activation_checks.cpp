// FL111-FL116: the output layer's activation and width against the task the loss and labels describe.
// Facts: the softmax definition (a distribution over the output units), the Keras loss documentation, and
// NeuraLint's last-layer rules (Nikanjam et al., TOSEM 2021), which read the activation whether it is an
// argument or a separate layer (UMLAUT's check, which looks for a Softmax layer only, flags
// `Dense(10, activation='softmax')` as missing a softmax; these checks do not).
#include "rules/checks.h"

namespace faultline::rules {
namespace {

void add_related_output_layer(Finding& f, const CheckContext& ctx) {
    if (ctx.output.layer && ctx.output.layer != ctx.output.activation_layer)
        add_related(f, ctx.output.layer->span, "output layer");
}

void add_activation_fix(Finding& f, const CheckContext& ctx, const std::string& wanted) {
    if (auto edit = replace_string_value(*ctx.output.activation, wanted))
        f.fixes.push_back(make_fix("Use the '" + wanted + "' activation", {*edit}));
}

void softmax_single_unit(CheckContext& ctx) {
    const auto& out = ctx.output;
    const auto& p = ctx.program;
    if (!out.units_known() || out.units() != 1 || out.activation_name() != "softmax") return;
    bool regression = is_regression_loss(p.loss) && p.data.labels == LabelFormat::Real;
    std::string wanted = regression ? "linear" : "sigmoid";
    Finding* f = ctx.add("FL111", "softmax on a 1-unit output always outputs 1.0",
                         "Softmax normalises the output units to sum to 1. With a single unit the output is "
                         "`exp(z) / exp(z)`, "
                         "exactly 1.0 for every input, so the prediction never changes and the gradient "
                         "through it is zero.\n\n"
                         "**Fix:** for a yes/no output use `sigmoid` (with `binary_crossentropy`); for a "
                         "real-valued output use "
                         "`linear`; for several classes widen the layer to the class count.",
                         Fault::act);
    if (!f) return;
    add_related_output_layer(*f, ctx);
    add_activation_fix(*f, ctx, wanted);
}

void relu_on_classifier(CheckContext& ctx) {
    const auto& out = ctx.output;
    const auto& p = ctx.program;
    if (!is_cross_entropy(p.loss) || out.activation_name() != "relu") return;
    if (targets_outside_unit_interval(p.data)) return; // a regression with the wrong loss: FL109
    bool multi = out.units_known() && out.units() > 1 && is_categorical_loss(p.loss);
    bool binary = *p.loss.name == "binary_crossentropy";
    if (!multi && !binary) return;
    std::string wanted = multi ? "softmax" : "sigmoid";
    std::string fix_text =
        p.loss.from_logits ? "remove the relu so the loss sees raw logits" : "use `" + wanted + "`";
    Finding* f = ctx.add(
        "FL112", "relu on the output of a classifier trained with " + *p.loss.name,
        "A relu output is 0 for every negative pre-activation, with zero gradient there: classes whose score "
        "starts negative can never be predicted and stop learning. As probabilities for a cross-entropy, "
        "relu "
        "outputs are also unbounded above and not normalised.\n\n**Fix:** " +
            fix_text + ".",
        Fault::act);
    if (!f) return;
    add_related_output_layer(*f, ctx);
    add_related(*f, ctx.loss_range(), "loss set here");
    if (!p.loss.from_logits && is_keras(p)) add_activation_fix(*f, ctx, wanted);
}

void sigmoid_with_categorical(CheckContext& ctx) {
    const auto& out = ctx.output;
    const auto& p = ctx.program;
    if (!is_keras(p) || !is_categorical_loss(p.loss) || p.loss.from_logits) return;
    if (out.activation_name() != "sigmoid" || !out.units_known() || out.units() < 2) return;
    Finding* f = ctx.add(
        "FL113",
        "sigmoid output with " + *p.loss.name + " over " + std::to_string(out.units()) +
            " classes: the outputs do not form one distribution",
        "Categorical cross-entropy scores a probability distribution over mutually exclusive classes. "
        "Sigmoid "
        "units are independent and do not sum to 1; Keras rescales them by their sum, so each class's score "
        "depends on the others in a way the gradient does not account for, and training is slow or "
        "stalls.\n\n"
        "**Fix:** use `softmax` on the output layer (or `binary_crossentropy` if the classes are not "
        "mutually "
        "exclusive).",
        Fault::act);
    if (!f) return;
    add_related_output_layer(*f, ctx);
    add_related(*f, ctx.loss_range(), "loss set here");
    add_activation_fix(*f, ctx, "softmax");
}

void bounded_output_on_regression(CheckContext& ctx) {
    const auto& out = ctx.output;
    const auto& p = ctx.program;
    const std::string& act = out.activation_name();
    if (act != "sigmoid" && act != "softmax" && act != "tanh") return;
    const double lo = act == "tanh" ? -1.0 : 0.0;
    if (!is_regression_loss(p.loss) || !targets_outside(p.data, lo, 1.0)) return;
    const std::string range = act == "tanh" ? "[-1, 1]" : "[0, 1]";
    const std::string source = p.data.source.known() ? *p.data.source + " " : "";
    Finding* f = ctx.add(
        "FL114",
        act + " output on a regression target outside its range: " + source + "targets leave " + range,
        "A " + act + " output is bounded to " + range +
            "; targets beyond that range can never be reached, so the error stays large and the "
            "output saturates, which stops its gradient.\n\n**Fix:** use a `linear` output for "
            "regression (or scale the targets into the output's range).",
        Fault::act);
    if (!f) return;
    add_related_output_layer(*f, ctx);
    add_related(*f, p.data.source.origin, "data loaded here");
    add_activation_fix(*f, ctx, "linear");
}

void width_against_classes(CheckContext& ctx) {
    const auto& out = ctx.output;
    const auto& p = ctx.program;
    if (!out.units_known() || !p.data.num_classes.known() || !is_categorical_loss(p.loss)) return;
    int64_t units = out.units();
    int64_t classes = *p.data.num_classes;
    if (classes < 2 || units == 1) return; // a single unit is FL101's and FL111's concern
    // One-hot targets must match the width exactly; integer targets only need a unit per class.
    bool one_hot = *p.loss.name == "categorical_crossentropy" && !p.loss.from_logits;
    bool wrong = one_hot ? units != classes : units < classes;
    if (!wrong) return;
    const Layer& layer = *out.layer;
    Finding* f = ctx.add("FL115",
                         "the output layer has " + std::to_string(units) + " units but the data has " +
                             std::to_string(classes) + " classes",
                         "A classifier needs one output unit per class: " +
                             std::string(one_hot ? "one-hot labels have one column per class, so the shapes "
                                                   "differ and training fails or compares the wrong columns."
                                                 : "a class index at or above the width has no output unit, "
                                                   "which fails or gives NaN losses.") +
                             "\n\n**Fix:** set the output width to " + std::to_string(classes) + ".",
                         value_span(layer.units, layer.span));
    if (!f) return;
    add_uses(*f, layer.units, "output width");
    add_related(*f, p.data.num_classes.origin, "class count set here");
    if (auto anchor = units_argument(layer); anchor && layer.units.literal && *anchor == *layer.units.literal)
        f->fixes.push_back(make_fix("Use " + std::to_string(classes) + " output units",
                                    {{*anchor, std::to_string(classes)}}));
}

// The decision threshold of a sigmoid output is probability 0.5, which is logit 0. A prediction computed on
// the logits (what a loss "with logits" receives) and compared with 0.5 moves the boundary to p =
// sigmoid(0.5) = 0.62: accuracy and predictions are wrong while the training itself is not.
void threshold_on_logits(CheckContext& ctx) {
    const auto& t = ctx.program.logit_threshold;
    if (!t) return;
    Finding* f = ctx.add(
        "FL116", "predictions threshold the logits at 0.5: the network outputs logits, not probabilities",
        "The loss is a sigmoid cross-entropy *with logits*, so the network's output is a logit z and the "
        "probability is sigmoid(z). A 0.5 threshold (or rounding) belongs to probabilities; on logits the "
        "boundary p = 0.5 is z = 0, and `z > 0.5` only calls a row positive above p = sigmoid(0.5) = 0.62. "
        "Accuracy and predictions computed this way are wrong even when training works.\n\n**Fix:** apply `" +
            t->sigmoid + "` to the logits before thresholding, or compare the logits with 0.",
        t->comparison);
    if (!f) return;
    add_related(*f, t->logits, "logits");
    add_related(*f, ctx.loss_range(), "loss with logits");
    if (auto edit = replace_literal(t->literal, "0.0"))
        f->fixes.push_back(make_fix("Compare the logits with 0 (the logit of probability 0.5)", {*edit}));
}

} // namespace

void check_output_activation(CheckContext& ctx) {
    threshold_on_logits(ctx);
    width_against_classes(ctx);
    if (!ctx.output.activation_known()) return;
    softmax_single_unit(ctx);
    if (!ctx.program.loss.name.known()) return;
    relu_on_classifier(ctx);
    sigmoid_with_categorical(ctx);
    bounded_output_on_regression(ctx);
}

} // namespace faultline::rules
