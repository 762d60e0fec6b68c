#include "rules/check_context.h"

#include "faultline/engine/localize.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace faultline::rules {
namespace {

bool one_of(const std::string& s, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

// The layer carrying the output units: a Dense (possibly inside TimeDistributed). Conv layers can be outputs
// too (segmentation), but their width is not a class count, so the checks leave them alone.
const Layer* units_layer(const Layer& layer) {
    if (layer.kind == "Dense") return &layer;
    if (layer.kind == "TimeDistributed" && !layer.inner.empty() && layer.inner.front().kind == "Dense")
        return &layer.inner.front();
    return nullptr;
}

// Layers between the output Dense and the end that do not change which activation the output has.
bool is_transparent(const Layer& layer) {
    return one_of(layer.kind, {"Dropout", "Flatten", "Reshape"});
}

} // namespace

bool is_activation_layer(const Layer& layer) {
    return one_of(layer.kind, {"Activation", "Softmax", "LeakyReLU", "PReLU", "ELU"});
}

bool is_weighted_layer(const Layer& layer) {
    return one_of(layer.kind, {"Dense", "Conv1D", "Conv2D", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
                               "TimeDistributed", "Embedding"});
}

OutputInfo output_info(const TrainingProgram& program) {
    OutputInfo info;
    const auto& layers = program.layers;
    for (size_t i = layers.size(); i-- > 0;) {
        const Layer& l = layers[i];
        if (const Layer* dense = units_layer(l)) {
            info.layer = dense;
            if (!info.activation_layer) {
                info.activation_layer = dense;
                info.activation = &dense->activation;
            }
            return info;
        }
        if (is_activation_layer(l)) {
            // The last activation layer decides the output (a second one after it would have returned
            // earlier).
            if (!info.activation_layer) {
                info.activation_layer = &l;
                info.activation = &l.activation;
            }
            continue;
        }
        if (is_transparent(l)) continue;
        // Anything else after the last Dense (a pooling, a convolution, an RNN) means the output is not a
        // Dense head this module understands.
        return OutputInfo{};
    }
    return OutputInfo{};
}

bool is_keras(const TrainingProgram& p) {
    return p.framework == Framework::Keras || p.framework == Framework::TfKeras;
}

bool is_categorical_loss(const Loss& loss) {
    return loss.name.known() &&
           one_of(*loss.name, {"categorical_crossentropy", "sparse_categorical_crossentropy", "nll"});
}

bool is_cross_entropy(const Loss& loss) {
    return is_categorical_loss(loss) || (loss.name.known() && *loss.name == "binary_crossentropy");
}

bool is_regression_loss(const Loss& loss) {
    return loss.name.known() &&
           one_of(*loss.name, {"mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                               "mean_squared_logarithmic_error", "huber", "logcosh"});
}

// Real-valued targets known to leave [0, 1]: Boston housing prices (5..50), or literal targets outside it.
// Real targets inside [0, 1] are soft labels, which binary cross-entropy takes, and a label cast to float
// (`y.float()`, `astype('float32')`) reads as real too, so "real" alone is not evidence of a regression.
bool targets_outside(const Data& d, double lo, double hi) {
    if (d.labels != LabelFormat::Real) return false;
    if (d.source.known() && *d.source == "boston_housing") return true; // median prices 5..50
    for (const auto& row : d.literal_y)
        for (double v : row)
            if (v < lo || v > hi) return true;
    return false;
}

bool targets_outside_unit_interval(const Data& d) {
    return targets_outside(d, 0.0, 1.0);
}

CheckContext::CheckContext(const TrainingProgram& p, const CheckOptions& options, std::vector<Finding>& out)
    : program(p), output(output_info(p)), options_(options), out_(out) {}

Span CheckContext::loss_range() const {
    auto loc = locate(Fault::loss, program);
    return loc ? loc->range : program.loss.call;
}

Span CheckContext::activation_range() const {
    auto loc = locate(Fault::act, program);
    if (loc) return loc->range;
    return output.activation_layer ? output.activation_layer->span : program.model_span;
}

Finding* CheckContext::add(std::string_view code, std::string message, std::string explanation, Span range) {
    std::string c(code);
    if (options_.disabled.count(c)) return nullptr;
    const auto& rules = all_rules();
    auto rule = std::find_if(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.code == c; });
    if (rule == rules.end()) return nullptr;
    Finding f;
    f.code = c;
    f.fault = rule->fault;
    f.severity = rule->severity;
    f.confidence = 1.0;
    f.message = std::move(message);
    f.explanation = std::move(explanation);
    if (std::string url = rule_docs_url(c); !url.empty())
        f.explanation += "\n\n[" + c + ": " + rule->name + "](" + url + ")";
    f.range = range;
    f.sources.push_back(EvidenceSource::Static);
    out_.push_back(std::move(f));
    return &out_.back();
}

Finding* CheckContext::add(std::string_view code, std::string message, std::string explanation, Fault located,
                           Span fallback) {
    auto loc = locate(located, program);
    if (!loc) {
        if (fallback.empty() && located == Fault::loss) fallback = loss_range();
        if (fallback.empty() && located == Fault::act) fallback = activation_range();
    }
    Finding* f = add(code, std::move(message), std::move(explanation), loc ? loc->range : fallback);
    if (!f || !loc) return f;
    for (size_t i = 0; i < loc->related.size(); ++i)
        add_related(*f, loc->related[i],
                    i < loc->related_messages.size() ? loc->related_messages[i] : "used here");
    return f;
}

Span value_span(const std::optional<Span>& literal, const Span& origin, const Span& fallback) {
    if (!origin.empty()) return origin;
    if (literal && !literal->empty()) return *literal;
    return fallback;
}

Span activation_site(const Layer& layer, const Value<std::string>& activation) {
    if (activation.kind == OriginKind::Default && !layer.span.empty()) return layer.span;
    return value_span(activation, layer.span);
}

void add_related(Finding& f, const Span& span, std::string message) {
    if (span.empty() || span == f.range) return;
    if (std::find(f.related.begin(), f.related.end(), span) != f.related.end()) return;
    f.related.push_back(span);
    f.related_messages.push_back(std::move(message));
}

std::optional<Replacement> replace_string_contents(const Span& literal, std::string new_text) {
    if (literal.empty() || literal.start.row != literal.end.row) return std::nullopt;
    if (literal.end_byte < literal.start_byte + 2) return std::nullopt;
    Span inner = literal;
    inner.start_byte += 1;
    inner.start.column += 1;
    inner.end_byte -= 1;
    inner.end.column -= 1;
    return Replacement{inner, std::move(new_text)};
}

std::optional<Replacement> replace_string_value(const Value<std::string>& v, std::string new_text) {
    if (v.kind != OriginKind::Literal || !v.known() || !v.literal) return std::nullopt;
    if (v.literal->end_byte - v.literal->start_byte != v.value->size() + 2) return std::nullopt;
    return replace_string_contents(*v.literal, std::move(new_text));
}

std::optional<Replacement> replace_literal(const std::optional<Span>& literal, std::string new_text) {
    if (!literal || literal->empty()) return std::nullopt;
    return Replacement{*literal, std::move(new_text)};
}

Replacement insert_after(const Span& after, std::string text) {
    Span at = after;
    at.start_byte = after.end_byte;
    at.start = after.end;
    return Replacement{at, std::move(text)};
}

std::optional<Span> units_argument(const Layer& layer) {
    auto inside = [&](const Span& s) {
        return !s.empty() && s.start_byte >= layer.span.start_byte && s.end_byte <= layer.span.end_byte;
    };
    if (layer.units.literal && inside(*layer.units.literal)) return layer.units.literal;
    for (const auto& use : layer.units.uses)
        if (inside(use)) return use;
    return std::nullopt;
}

Fix make_fix(std::string title, std::vector<Replacement> edits, bool preferred) {
    Fix f;
    f.title = std::move(title);
    f.edits = std::move(edits);
    f.preferred = preferred;
    return f;
}

std::string format_number(double v) {
    std::array<char, 32> buf{};
    std::snprintf(buf.data(), buf.size(), "%g", v);
    return buf.data();
}

std::optional<double> default_learning_rate(Framework framework, const std::string& opt) {
    // Keras 2.x (keras.optimizers), tf.keras 2.x, torch.optim 1.13 and tf.compat.v1.train signatures.
    struct Default {
        const char* name;
        double keras, tf_keras, torch, tf1; // negative: no default (the argument is required)
    };
    static constexpr std::array<Default, 9> kDefaults{{
        {"sgd", 0.01, 0.01, -1, -1},
        {"adam", 0.001, 0.001, 0.001, 0.001},
        {"rmsprop", 0.001, 0.001, 0.01, -1},
        {"adagrad", 0.01, 0.001, 0.01, -1},
        {"adadelta", 1.0, 0.001, 1.0, 0.001},
        {"adamax", 0.002, 0.001, 0.002, -1},
        {"nadam", 0.002, 0.001, 0.002, -1},
        {"adamw", -1, 0.001, 0.001, -1},
        {"ftrl", -1, 0.001, -1, -1},
    }};
    for (const auto& d : kDefaults) {
        if (opt != d.name) continue;
        double v = -1;
        switch (framework) {
        case Framework::Keras:
            v = d.keras;
            break;
        case Framework::TfKeras:
            v = d.tf_keras;
            break;
        case Framework::PyTorch:
            v = d.torch;
            break;
        case Framework::TF1:
            v = d.tf1;
            break;
        case Framework::Unknown:
            v = -1;
            break;
        }
        if (v > 0) return v;
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace faultline::rules
