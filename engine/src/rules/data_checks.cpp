// FL151-FL154: how the data reaches the network. Facts: LeCun et al., "Efficient BackProp" (1998), section
// 4.3 (inputs should be centred and scaled to comparable, small ranges); UMLAUT's input-normalization
// heuristic (inputs outside [-1, 1]); the Keras loss documentation for the label formats (sparse categorical
// cross-entropy takes integer class indices); scikit-learn's user guide on multi-layer perceptrons (they are
// sensitive to feature scaling).
#include "rules/checks.h"

namespace faultline::rules {
namespace {

// Inputs this large reach the first layer's units hundreds of times larger than scaled inputs would.
constexpr double kLargeInput = 100.0;

enum class Scaling { Pixels, Standardize };

// The quick fix of an unscaled-input finding: a statement scaling the inputs, inserted right after the one
// that last binds the name training reads (the load, or a reshape or conversion after it), so
// everything after it sees scaled values. Nothing when that statement or name is unknown. Validation data
// passed separately may not come from the same name: the fix would then leave it unscaled, so it is offered
// for the probe to validate rather than preferred.
// In a PyTorch script the name may hold a tensor or a NumPy array: `mean(0)` and `std(0)` reduce over the
// rows in both (a tensor's `axis=` keyword is not accepted by every PyTorch version).
void add_scaling_fix(Finding& f, const TrainingProgram& p, Scaling scaling) {
    const Data& d = p.data;
    if (d.inputs_bound.empty() || d.inputs_name.empty()) return;
    const std::string& x = d.inputs_name;
    const std::string indent(d.inputs_bound.start.column, ' ');
    const bool pixels = scaling == Scaling::Pixels;
    const std::string rows = p.framework == Framework::PyTorch ? "0" : "axis=0";
    const std::string statement =
        pixels ? x + " = " + x + " / 255.0"
               : x + " = (" + x + " - " + x + ".mean(" + rows + ")) / (" + x + ".std(" + rows + ") + 1e-8)";
    const std::string title =
        pixels ? "Scale the inputs to 0..1 (" + x + " / 255.0)" : "Standardize the features (" + x + ")";
    f.fixes.push_back(
        make_fix(title, {insert_after(d.inputs_bound, "\n" + indent + statement)}, !d.has_validation_data));
}

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
            std::string(!images ? "standardise each feature, `x_train = (x_train - mean) / std`"
                        : p.framework == Framework::PyTorch
                            ? "`x_train = x_train / 255.0` (a torchvision dataset scales with "
                              "`transform=transforms.ToTensor()`)"
                            : "`x_train = x_train.astype('float32') / 255`") +
            ", and the same for the test set.",
        Fault::data_preprocessing, value_span(d.scaled, d.source.origin));
    if (!f) return;
    add_related(*f, p.fit_call, "trained here");
    // Pixels (0..255) are divided by 255, as the explanation says; other large values are standardized.
    const bool pixels = images || (d.input_max.known() && *d.input_max <= 255.0);
    add_scaling_fix(*f, p, pixels ? Scaling::Pixels : Scaling::Standardize);
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

bool whole_numbers(const std::vector<std::vector<double>>& rows) {
    for (const auto& row : rows)
        for (double v : row)
            if (v != static_cast<double>(static_cast<int64_t>(v))) return false;
    return true;
}

void scaled_labels(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& d = p.data;
    if (!d.labels_scaled.value_or(false) || d.labels_scaled.origin.empty()) return;
    bool class_labels = d.labels == LabelFormat::Integer || d.labels == LabelFormat::OneHot ||
                        d.labels == LabelFormat::Binary;
    bool class_loss = is_categorical_loss(p.loss) ||
                      (p.loss.name.known() && (*p.loss.name == "hinge" || *p.loss.name == "squared_hinge" ||
                                               *p.loss.name == "categorical_hinge"));
    if (!class_labels && !class_loss) return; // a regression target may be scaled
    // Literal labels that are still whole numbers after the scaling ({0, 255} / 255) are still classes.
    if (!d.literal_y.empty() && whole_numbers(d.literal_y)) return;
    std::string what = d.labels == LabelFormat::OneHot   ? "one-hot labels"
                       : d.labels == LabelFormat::Binary ? "binary labels"
                                                         : "class labels";
    Finding* f = ctx.add(
        "FL153", "the " + what + " are scaled like inputs: classes become fractions",
        "Scaling belongs to the inputs. Class labels divided by a constant stop being classes: sparse "
        "categorical cross-entropy (and PyTorch's CrossEntropyLoss) read each label as a class index and "
        "truncate fractions such as 9/255 to class 0, so every sample is labelled 0; one-hot and binary "
        "labels stop being 0/1, so the targets are no longer a distribution and the loss and accuracy are "
        "meaningless.\n\n**Fix:** remove the scaling of the labels; scale only the inputs.",
        d.labels_scaled.origin);
    if (!f) return;
    if (!class_labels) f->severity = Severity::Warning; // only the loss says the task is a classification
    add_related(*f, p.fit_call, "trained here");
    if (d.labels_scaling_removable)
        f->fixes.push_back(
            make_fix("Remove the scaling of the labels", {Replacement{d.labels_scaled.origin, ""}}));
}

void unscaled_table(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& d = p.data;
    if (!d.source.known() || *d.source != "csv" || !d.scaled.known() || *d.scaled || d.is_sequence) return;
    // A known range is FL151's to judge.
    if (d.input_max.known() || p.layers.empty()) return;
    const std::string& first = p.layers.front().kind;
    if (first == "BatchNormalization" || first == "Embedding") return;
    Finding* f = ctx.add(
        "FL154", "features read from a file reach the network without standardization",
        "The columns of a table usually differ in magnitude (an age next to an income), and nothing between "
        "the load and the training rescales them. Gradient descent then converges slowly or not at all: the "
        "weights of the large columns dominate the first layer, and a learning rate small enough for them "
        "barely moves the others. Inputs should have zero mean and comparable variance (LeCun et al., "
        "Efficient BackProp, 1998, section 4.3); multi-layer perceptrons are sensitive to feature scaling "
        "(scikit-learn user guide). The file's values are not known here, so this is a warning, not a "
        "measurement.\n\n**Fix:** standardize each column with the training statistics, "
        "`X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)` (or sklearn's `StandardScaler`), and apply the "
        "same statistics to the test set.",
        d.inputs_bound.empty() ? value_span(d.scaled, d.source.origin) : d.inputs_bound);
    if (!f) return;
    add_related(*f, d.source.origin, "read here");
    add_related(*f, p.fit_call, "trained here");
    add_scaling_fix(*f, p, Scaling::Standardize);
}

} // namespace

void check_data(CheckContext& ctx) {
    unscaled_input(ctx);
    categorical_with_integer_labels(ctx);
    scaled_labels(ctx);
    unscaled_table(ctx);
}

} // namespace faultline::rules
