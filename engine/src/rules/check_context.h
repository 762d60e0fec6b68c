// What every static check shares: the program read once into the facts the checks ask about (the output layer
// and what sets its activation, the kind of loss), the rule table, and helpers that build findings and edits.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/rules.h"
#include "faultline/parser/program.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::rules {

// The layer that produces the network's output and the value that decides its activation: an Activation /
// Softmax layer after it wins over the layer's own `activation=` argument, as in the forward pass.
struct OutputInfo {
    const Layer* layer = nullptr; // last layer with units (Dense, or the Dense inside TimeDistributed)
    const Layer* activation_layer = nullptr; // the layer whose activation is the output's (may be `layer`)
    const Value<std::string>* activation = nullptr;
    bool activation_known() const { return activation && activation->known(); }
    const std::string& activation_name() const { return *activation->value; }
    bool units_known() const { return layer && layer->units.known(); }
    int64_t units() const { return *layer->units.value; }
};

OutputInfo output_info(const TrainingProgram& program);

bool is_keras(const TrainingProgram& p); // Keras or tf.keras

// Loss families, by canonical name (program.h).
bool is_categorical_loss(const Loss& loss); // categorical_crossentropy, sparse_categorical_crossentropy, nll
bool is_cross_entropy(const Loss& loss);    // the above and binary_crossentropy
bool is_regression_loss(const Loss& loss);  // mse, mae, mape, msle, huber, logcosh

// Real-valued targets known to leave [lo, hi] (Boston housing prices, literal targets). Real targets of
// unknown range are not judged: labels cast to float read as real too.
bool targets_outside(const Data& d, double lo, double hi);
// The same for [0, 1]: a regression that no cross-entropy fits.
bool targets_outside_unit_interval(const Data& d);

// Whether the activation layer is one that acts (Activation, Softmax, LeakyReLU, ...) rather than computes.
bool is_activation_layer(const Layer& layer);
// Layers that carry weights and so end a run of activations (Dense, Conv*, RNNs, Embedding).
bool is_weighted_layer(const Layer& layer);

class CheckContext {
public:
    CheckContext(const TrainingProgram& program, const CheckOptions& options, std::vector<Finding>& out);

    const TrainingProgram& program;
    const OutputInfo output;

    // Where the loss and the output activation are set (localize.h), so that static findings land on the same
    // statement as diagnosed ones and merge with them.
    Span loss_range() const;
    Span activation_range() const;

    // A finding for `code` with the rule table's fault and severity, or nullptr when the rule is disabled.
    Finding* add(std::string_view code, std::string message, std::string explanation, Span range);
    // The same at the statement that sets the value behind `located` (localize.h), with its use sites as
    // related information; `fallback` when localization has nothing to point at.
    Finding* add(std::string_view code, std::string message, std::string explanation, Fault located,
                 Span fallback = {});

private:
    const CheckOptions& options_;
    std::vector<Finding>& out_;
};

// The span to report a value at: its origin (the statement setting it), else its literal, else `fallback`.
Span value_span(const std::optional<Span>& literal, const Span& origin, const Span& fallback);
template <class T> Span value_span(const Value<T>& v, const Span& fallback) {
    return value_span(v.literal, v.origin, fallback);
}
// Adds each use site of `v` (other than `range`) to the finding's related information.
template <class T> void add_uses(Finding& f, const Value<T>& v, std::string_view what) {
    for (const auto& use : v.uses) {
        if (use == f.range) continue;
        f.related.push_back(use);
        f.related_messages.push_back(std::string(what) + " used here");
    }
}
void add_related(Finding& f, const Span& span, std::string message);

// Where a layer's activation is set: for the framework's default (no activation written), the layer itself,
// where one would be added (for PyTorch the forward call, not the constructor); else the value's origin.
Span activation_site(const Layer& layer, const Value<std::string>& activation);

// Replaces the text inside a single-line quoted string literal, keeping the script's quotes. nullopt when the
// span cannot be a plain string literal (too short, several lines).
std::optional<Replacement> replace_string_contents(const Span& literal, std::string new_text);
// An edit for a string Value written as a literal: only when the literal span exists and has the length of
// the canonical value plus two quotes (`'softmax'`), so an attribute like `tf.nn.softmax` is never rewritten.
std::optional<Replacement> replace_string_value(const Value<std::string>& v, std::string new_text);
// Replaces a whole literal (a number) with new text.
std::optional<Replacement> replace_literal(const std::optional<Span>& literal, std::string new_text);
// Inserts `text` right after `after` (an argument inside a call).
Replacement insert_after(const Span& after, std::string text);
// The span of the first argument of `layer` written inside its call (its units), to insert keyword arguments
// after; nullopt when the units are not written inside the call.
std::optional<Span> units_argument(const Layer& layer);

Fix make_fix(std::string title, std::vector<Replacement> edits, bool preferred = true);

// Number formatting for messages: 0.001, 3, 1e-07.
std::string format_number(double v);

// The framework's default learning rate for an optimizer (Keras 2 / tf.keras 2 / PyTorch), nullopt if
// unknown.
std::optional<double> default_learning_rate(Framework framework, const std::string& optimizer);

} // namespace faultline::rules
