// FL101-FL109: the loss against the output layer and the targets. Facts from the Keras and PyTorch loss
// documentation and NeuraLint's loss/last-layer rules (Nikanjam et al., TOSEM 2021); unlike UMLAUT's
// pre-train heuristic (Schoop et al., CHI 2021), the output's activation is read from the layer's
// `activation=` argument as well as from Activation/Softmax layers.
#include "rules/checks.h"

namespace faultline::rules {
namespace {

// An edit that replaces the loss string (keeping its quotes), when the script wrote the loss as a string.
void add_loss_fix(Finding& f, const TrainingProgram& p, const std::string& new_loss) {
    if (!p.loss.written_as_string || p.loss.name.kind != OriginKind::Literal) return;
    if (auto edit = replace_string_contents(p.loss.name.literal.value_or(Span{}), new_loss))
        f.fixes.push_back(make_fix("Use loss='" + new_loss + "'", {*edit}));
}

void add_related_output(Finding& f, const CheckContext& ctx) {
    if (ctx.output.layer) add_related(f, ctx.output.layer->span, "output layer");
    if (ctx.output.activation_layer && ctx.output.activation_layer != ctx.output.layer)
        add_related(f, ctx.output.activation_layer->span, "output activation");
}

// The loss the output calls for, spelled for the labels when they are known.
std::string categorical_loss_for(const TrainingProgram& p) {
    return p.data.labels == LabelFormat::Integer ? "sparse_categorical_crossentropy"
                                                 : "categorical_crossentropy";
}

void categorical_on_single_unit(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (!is_keras(p) || !p.loss.name.known() || *p.loss.name != "categorical_crossentropy") return;
    if (!out.units_known() || out.units() != 1 || targets_outside_unit_interval(p.data)) return;
    std::string act = out.activation_known() ? out.activation_name() : "";
    std::string effect = act == "softmax" ? "always gives loss 0 (softmax of one unit is 1.0)"
                                          : "only rewards the positive class and never learns class 0";
    Finding* f = ctx.add(
        "FL101", "categorical_crossentropy on a 1-unit output " + effect,
        "Categorical cross-entropy sums `-y * log(p)` over the output units. With a single unit the only "
        "term is "
        "the positive class: for `y = 0` it contributes nothing, and with a softmax output `p` is always "
        "1.0, so "
        "the loss is 0 and no gradient flows.\n\n**Fix:** for two classes with one output unit use "
        "`binary_crossentropy` with a `sigmoid` output; for more classes widen the output layer to the class "
        "count with a `softmax` and one-hot labels.",
        Fault::loss);
    if (!f) return;
    add_related_output(*f, ctx);
    add_loss_fix(*f, p, "binary_crossentropy");
}

void binary_on_softmax(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (!is_keras(p) || !p.loss.name.known() || *p.loss.name != "binary_crossentropy" || p.loss.from_logits)
        return;
    if (!out.units_known() || out.units() < 2 || !out.activation_known() ||
        out.activation_name() != "softmax")
        return;
    Finding* f = ctx.add(
        "FL102",
        "binary_crossentropy on a " + std::to_string(out.units()) +
            "-unit softmax output: the loss treats each unit as its own yes/no class",
        "A softmax output is one distribution over mutually exclusive classes, which is what categorical "
        "cross-entropy scores. Binary cross-entropy scores every unit as an independent yes/no output, and "
        "Keras "
        "then reports `binary_accuracy` per unit, which looks high (9 of 10 units are correctly 0) while the "
        "predicted class is wrong.\n\n**Fix:** use `categorical_crossentropy` (one-hot labels) or "
        "`sparse_categorical_crossentropy` (integer labels); keep `binary_crossentropy` only with a "
        "`sigmoid` "
        "output for multi-label targets.",
        Fault::loss);
    if (!f) return;
    add_related_output(*f, ctx);
    add_loss_fix(*f, p, categorical_loss_for(p));
}

// Output activations whose values are not probabilities a Keras cross-entropy can take. Sigmoid-like and
// softmax outputs are probabilities; relu (FL112) and sigmoid with a categorical loss (FL113) have their own
// rules.
bool not_a_probability(const std::string& act) {
    return act == "linear" || act == "tanh" || act == "softsign" || act == "selu" || act == "elu" ||
           act == "softplus" || act == "exponential" || act == "swish" || act == "gelu" ||
           act == "leaky_relu";
}

void cross_entropy_on_non_probability(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (!is_keras(p) || !is_cross_entropy(p.loss) || p.loss.from_logits) return;
    if (targets_outside_unit_interval(p.data)) return; // FL109: the loss, not the output, is wrong
    if (!out.activation_known() || !not_a_probability(out.activation_name()) || !out.units_known()) return;
    bool binary = *p.loss.name == "binary_crossentropy";
    if (!binary && out.units() < 2) return; // FL101 covers categorical on one unit
    const std::string& act = out.activation_name();
    std::string wanted = binary ? "sigmoid" : "softmax";
    std::string what = act == "linear" ? "has no activation (linear)" : "uses " + act;
    Finding* f = ctx.add(
        "FL103",
        *p.loss.name + " expects probabilities but the " + std::to_string(out.units()) +
            "-unit output layer " + what,
        "Keras cross-entropy losses take probabilities unless `from_logits=True`: they clip the output to "
        "[1e-7, 1 - 1e-7] before the logarithm. A " +
            act +
            " output is not a probability: values outside (0, 1) are clipped, their gradient is zero, and "
            "training stalls or the loss is meaningless.\n\n**Fix:** use `activation='" +
            wanted +
            "'` on the output layer (or pass a loss object with `from_logits=True` and a linear output).",
        Fault::act);
    if (!f) return;
    add_related(*f, ctx.loss_range(), "loss set here");
    const Layer* target = out.activation_layer;
    if (target == out.layer && out.activation->kind == OriginKind::Default) {
        if (auto anchor = units_argument(*target))
            f->fixes.push_back(make_fix("Add activation='" + wanted + "' to the output layer",
                                        {insert_after(*anchor, ", activation='" + wanted + "'")}));
    } else if (auto edit = replace_string_value(*out.activation, wanted)) {
        f->fixes.push_back(make_fix("Use the '" + wanted + "' activation", {*edit}));
    }
}

void cross_entropy_on_real_targets(CheckContext& ctx) {
    const auto& p = ctx.program;
    if (!is_cross_entropy(p.loss) || !targets_outside_unit_interval(p.data)) return;
    std::string source = p.data.source.known() ? " (" + *p.data.source + ")" : "";
    Finding* f = ctx.add(
        "FL109", *p.loss.name + " on real-valued regression targets" + source,
        "Cross-entropy scores class probabilities against class labels. Real-valued targets are not classes: "
        "the loss is not minimised at the target value (and is undefined for targets outside [0, 1]), so the "
        "model does not learn the regression.\n\n**Fix:** use `mean_squared_error` (or "
        "`mean_absolute_error`) "
        "with a linear output.",
        Fault::loss);
    if (!f) return;
    add_related(*f, p.data.labels_span, "targets set here");
    if (is_keras(p)) add_loss_fix(*f, p, "mean_squared_error");
}

void sparse_with_one_hot(CheckContext& ctx) {
    const auto& p = ctx.program;
    // PyTorch's CrossEntropyLoss accepts class probabilities (one-hot rows) since 1.10: Keras only.
    if (!is_keras(p) || *p.loss.name != "sparse_categorical_crossentropy") return;
    if (p.data.labels != LabelFormat::OneHot) return;
    Finding* f = ctx.add(
        "FL104",
        "sparse_categorical_crossentropy with one-hot labels: it expects one integer class per sample",
        "Sparse categorical cross-entropy takes each label as a class index; one-hot rows have as many "
        "values as "
        "classes, so the shapes do not match (Keras raises an error, or each 0/1 entry is read as a class "
        "index).\n\n**Fix:** use `categorical_crossentropy` with one-hot labels, or drop the one-hot "
        "encoding.",
        Fault::loss);
    if (!f) return;
    add_related(*f, p.data.labels_span, "labels made one-hot here");
    add_loss_fix(*f, p, "categorical_crossentropy");
}

void regression_loss_on_classifier(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (!is_regression_loss(p.loss) || !out.units_known()) return;
    // Real-valued targets make it a regression with the wrong output instead (FL114's concern).
    if (p.data.labels == LabelFormat::Real) return;
    bool softmax = out.activation_known() && out.activation_name() == "softmax";
    // Integer class indices against several output units: the loss compares a class number with each unit
    // (PyTorch warns and broadcasts, Keras broadcasts silently), which is not a classification loss at all.
    bool indices = p.data.labels == LabelFormat::Integer && out.units() > 1;
    if (!softmax && !indices) return;
    std::string message =
        softmax ? *p.loss.name + " on a softmax classifier: cross-entropy is the loss for class probabilities"
                : *p.loss.name + " between a " + std::to_string(out.units()) +
                      "-unit output and integer class labels: the loss compares class numbers with scores";
    Finding* f = ctx.add(
        "FL105", message,
        std::string(softmax
                        ? "A softmax output is a probability distribution over classes. Squared or absolute "
                          "error on probabilities has small gradients where the prediction is confidently "
                          "wrong (the softmax saturates), so a classifier trains slowly or stalls; "
                          "cross-entropy's gradient is `p - y` and does not vanish."
                        : "The labels are class indices (0, 1, 2, ...) while the output has one unit per "
                          "class; a regression loss broadcasts each index against every unit and pushes all "
                          "scores towards the class number, which does not train a classifier.") +
            "\n\n**Fix:** use `categorical_crossentropy` (one-hot labels) or "
            "`sparse_categorical_crossentropy` "
            "(integer labels); in PyTorch `nn.CrossEntropyLoss()` on the raw outputs.",
        Fault::loss);
    if (!f) return;
    add_related_output(*f, ctx);
    add_related(*f, p.data.labels_span, "labels set here");
    if (is_keras(p) && out.units() > 1) add_loss_fix(*f, p, categorical_loss_for(p));
}

void torch_double_softmax(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (!is_categorical_loss(p.loss) || *p.loss.name == "nll" || !p.loss.from_logits) return;
    if (!out.activation_known() || out.activation_name() != "softmax") return;
    std::string loss_name =
        p.framework == Framework::PyTorch ? "CrossEntropyLoss" : *p.loss.name + " on logits";
    Finding* f = ctx.add(
        "FL106", loss_name + " applies softmax itself, but the output already goes through softmax",
        "`nn.CrossEntropyLoss` (and any cross-entropy with `from_logits=True`) applies log-softmax to its "
        "input. "
        "Feeding it softmax probabilities applies softmax twice: the outputs are squashed into [0, 1], the "
        "loss "
        "cannot go below about 1.46 for 10 classes, and gradients shrink.\n\n**Fix:** return the raw logits "
        "from the model (drop the final softmax), or use `nn.NLLLoss` after `log_softmax`.",
        Fault::act);
    if (!f) return;
    add_related(*f, ctx.loss_range(), "loss set here");
}

void torch_nll_without_log_softmax(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (!p.loss.name.known() || *p.loss.name != "nll") return;
    if (!out.activation_known() || out.activation_name() == "log_softmax") return;
    Finding* f = ctx.add(
        "FL107", "NLLLoss expects log-probabilities but the output activation is " + out.activation_name(),
        "`nn.NLLLoss` only picks `-input[class]`; it assumes the input is already `log_softmax`. On raw or "
        "softmax outputs the loss is unbounded below (it rewards growing one output without limit) or is not "
        "a "
        "likelihood at all.\n\n**Fix:** end the model with `F.log_softmax(x, dim=1)`, or use "
        "`nn.CrossEntropyLoss` on the raw logits.",
        Fault::act);
    if (!f) return;
    add_related(*f, ctx.loss_range(), "loss set here");
}

void torch_bce_without_sigmoid(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& out = ctx.output;
    if (p.framework != Framework::PyTorch) return;
    if (!p.loss.name.known() || *p.loss.name != "binary_crossentropy" || p.loss.from_logits) return;
    if (!out.activation_known() || out.activation_name() == "sigmoid" || out.activation_name() == "softmax")
        return;
    Finding* f = ctx.add(
        "FL108", "BCELoss expects probabilities but the output activation is " + out.activation_name(),
        "`nn.BCELoss` takes probabilities in [0, 1] and raises an error (or returns NaN) on values outside "
        "it. "
        "A " +
            out.activation_name() +
            " output is not bounded to [0, 1].\n\n**Fix:** apply `torch.sigmoid` to the output, or better, "
            "use `nn.BCEWithLogitsLoss` on the raw output (numerically stable).",
        Fault::act);
    if (!f) return;
    add_related(*f, ctx.loss_range(), "loss set here");
}

} // namespace

void check_loss_against_output(CheckContext& ctx) {
    if (!ctx.program.loss.name.known()) return;
    categorical_on_single_unit(ctx);
    binary_on_softmax(ctx);
    cross_entropy_on_non_probability(ctx);
    cross_entropy_on_real_targets(ctx);
    sparse_with_one_hot(ctx);
    regression_loss_on_classifier(ctx);
    torch_double_softmax(ctx);
    torch_nll_without_log_softmax(ctx);
    torch_bce_without_sigmoid(ctx);
}

} // namespace faultline::rules
