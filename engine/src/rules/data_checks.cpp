// FL151-FL152: how the data reaches the network. Facts: LeCun et al., "Efficient BackProp" (1998), section
// 4.3 (inputs should be centred and scaled to comparable, small ranges); UMLAUT's input-normalization
// heuristic (inputs outside [-1, 1]); the Keras loss documentation for the label formats.
#include "rules/checks.h"

namespace faultline::rules {
namespace {

// Inputs this large reach the first layer's units hundreds of times larger than scaled inputs would.
constexpr double kLargeInput = 100.0;

void unscaled_input(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& d = p.data;
    if (!d.scaled.known() || *d.scaled || d.is_sequence || p.layers.empty()) return;
    // Image datasets stay pixels after a reshape to vectors, so the source counts as much as the shape.
    bool image_source = d.source.known() && (*d.source == "mnist" || *d.source == "fashion_mnist" ||
                                             *d.source == "cifar10" || *d.source == "cifar100");
    bool large = d.input_max.known() && *d.input_max >= kLargeInput;
    // Image-shaped inputs of unknown origin and range (a placeholder fed zeros) are not known to be pixels.
    bool images = image_source || (d.is_image && d.input_max.known() && *d.input_max > 1.0);
    if (!images && !large) return;
    if (d.input_max.known() && *d.input_max <= 1.0) return;
    // A network that normalises its own input (BatchNormalization first) copes with raw values; an Embedding
    // takes indices, which must not be scaled.
    const std::string& first = p.layers.front().kind;
    if (first == "BatchNormalization" || first == "Embedding") return;
    std::string range = d.input_max.known() ? "up to " + format_number(*d.input_max) : "0..255";
    std::string source = d.source.known() ? *d.source + " " : "";
    std::string what = images ? source + "images are fed to the network unscaled (pixel values " + range + ")"
                              : source + "inputs are fed to the network unscaled (values " + range + ")";
    Finding* f = ctx.add(
        "FL151", what,
        "Unscaled inputs make the first layer's pre-activations hundreds of times larger than inputs in [0, "
        "1] "
        "or standardised features would: units saturate or die, gradients are badly scaled, and a learning "
        "rate that suits scaled inputs diverges (LeCun et al., Efficient BackProp, 1998, section 4.3).\n\n"
        "**Fix:** scale the inputs after loading: " +
            std::string(images ? "`x_train = x_train.astype('float32') / 255`"
                               : "standardise each feature, `x_train = (x_train - mean) / std`") +
            ", and the same for the test set.",
        Fault::data_preprocessing, value_span(d.scaled, d.source.origin));
    if (!f) return;
    add_related(*f, p.fit_call, "trained here");
}

void categorical_with_integer_labels(CheckContext& ctx) {
    const auto& p = ctx.program;
    if (!is_keras(p) || !p.loss.name.known() || *p.loss.name != "categorical_crossentropy") return;
    if (p.data.labels != LabelFormat::Integer) return;
    if (ctx.output.units_known() && ctx.output.units() < 2) return; // FL101
    Finding* f =
        ctx.add("FL152", "categorical_crossentropy with integer labels: it expects one-hot rows",
                "Categorical cross-entropy compares each output unit with a one-hot label column. Integer "
                "class labels "
                "have one column, so Keras rejects the shape or scores the wrong columns.\n\n**Fix:** use "
                "`sparse_categorical_crossentropy`, or one-hot encode the labels with `to_categorical`.",
                Fault::loss);
    if (!f) return;
    add_related(*f, p.data.labels_span, "labels set here");
    if (p.loss.written_as_string && p.loss.name.kind == OriginKind::Literal)
        if (auto edit = replace_string_contents(p.loss.name.literal.value_or(Span{}),
                                                "sparse_categorical_crossentropy"))
            f->fixes.push_back(make_fix("Use loss='sparse_categorical_crossentropy'", {*edit}));
}

} // namespace

void check_data(CheckContext& ctx) {
    unscaled_input(ctx);
    categorical_with_integer_labels(ctx);
}

} // namespace faultline::rules
