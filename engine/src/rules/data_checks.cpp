// FL151-FL152: how the data reaches the network. Facts: LeCun et al., "Efficient BackProp" (1998), section
// 4.3 (inputs should be centred and scaled to comparable, small ranges); UMLAUT's input-normalization
// heuristic (inputs outside [-1, 1]); the Keras loss documentation for the label formats.
#include "faultline/engine/localize.h"
#include "rules/checks.h"

namespace faultline::rules {
namespace {

bool is_keras(const TrainingProgram& p) {
    return p.framework == Framework::Keras || p.framework == Framework::TfKeras;
}

void unscaled_images(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& d = p.data;
    // Image datasets stay pixels after a reshape to vectors, so the source counts as much as the shape.
    bool image_source = d.source.known() && (*d.source == "mnist" || *d.source == "fashion_mnist" ||
                                             *d.source == "cifar10" || *d.source == "cifar100");
    if (!(d.is_image || image_source) || !d.scaled.known() || *d.scaled) return;
    if (d.input_max.known() && *d.input_max <= 1.0) return;
    // A network that normalises its own input (BatchNormalization first) copes with raw pixels.
    if (!p.layers.empty() && p.layers.front().kind == "BatchNormalization") return;
    std::string range = d.input_max.known() ? "0.." + format_number(*d.input_max) : "0..255";
    std::string source = d.source.known() ? *d.source + " " : "";
    auto loc = locate(Fault::data_preprocessing, p);
    Finding* f = ctx.add(
        "FL151", source + "images are fed to the network unscaled (pixel values " + range + ")",
        "Raw pixel values make the first layer's pre-activations hundreds of times larger than with inputs "
        "in "
        "[0, 1]: units saturate or die, gradients are badly scaled, and a learning rate that suits scaled "
        "inputs "
        "diverges (LeCun et al., Efficient BackProp, 1998).\n\n**Fix:** scale the inputs after loading, "
        "e.g. `x_train = x_train.astype('float32') / 255` (and the same for the test set).",
        loc ? loc->range : value_span(d.scaled, d.source.origin));
    if (!f) return;
    add_related(*f, p.fit_call, "trained here");
}

void categorical_with_integer_labels(CheckContext& ctx) {
    const auto& p = ctx.program;
    if (!is_keras(p) || !p.loss.name.known() || *p.loss.name != "categorical_crossentropy") return;
    if (p.data.labels != LabelFormat::Integer) return;
    if (ctx.output.units_known() && ctx.output.units() < 2) return; // FL101
    auto loc = locate(Fault::loss, p);
    Finding* f =
        ctx.add("FL152", "categorical_crossentropy with integer labels: it expects one-hot rows",
                "Categorical cross-entropy compares each output unit with a one-hot label column. Integer "
                "class labels "
                "have one column, so Keras rejects the shape or scores the wrong columns.\n\n**Fix:** use "
                "`sparse_categorical_crossentropy`, or one-hot encode the labels with `to_categorical`.",
                loc ? loc->range : p.loss.call);
    if (!f) return;
    add_related(*f, p.data.labels_span, "labels set here");
    if (p.loss.written_as_string && p.loss.name.kind == OriginKind::Literal)
        if (auto edit = replace_string_contents(p.loss.name.literal.value_or(Span{}),
                                                "sparse_categorical_crossentropy"))
            f->fixes.push_back(make_fix("Use loss='sparse_categorical_crossentropy'", {*edit}));
}

} // namespace

void check_data(CheckContext& ctx) {
    unscaled_images(ctx);
    categorical_with_integer_labels(ctx);
}

} // namespace faultline::rules
