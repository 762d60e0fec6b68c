#include "fixes/candidates.h"

#include "faultline/engine/activations.h"
#include "faultline/engine/fixes.h"
#include "faultline/parser/parse.h"
#include "fixes/python_text.h"
#include "fixes/task_shape.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace faultline::fixes {

TrainingProgram reparse_with(std::string_view text, const std::vector<Replacement>& edits) {
    return parse_program(apply_replacements(text, edits));
}

namespace {

using Check = std::function<bool(const TrainingProgram&)>;

bool near(double a, double b) {
    return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

template <class T> bool value_is(const Value<T>& v, const T& expected) {
    if (!v.known()) return false;
    if constexpr (std::is_floating_point_v<T>)
        return near(*v, expected);
    else
        return *v == expected;
}

// Collects candidates for one fault: each edit is applied, re-parsed and kept only when it parses as cleanly
// as the original and the value it targets actually changed.
class Builder {
public:
    Builder(const TrainingProgram& program, std::string_view text)
        : program(program), text(text), quote(preferred_quote(text)) {}

    void add(std::string title, std::vector<Replacement> edits, const Check& took_effect) {
        if (edits.empty() || out_.size() >= kMaxCandidatesPerFault) return;
        if (!titles_.insert(title).second) return;
        std::string edited = apply_replacements(text, edits);
        if (edited == text) return;
        TrainingProgram reparsed = parse_program(edited);
        if (reparsed.has_syntax_errors && !program.has_syntax_errors) return;
        if (!took_effect(reparsed)) return;
        Fix fix;
        fix.title = std::move(title);
        fix.edits = std::move(edits);
        out_.push_back({std::move(fix), std::move(reparsed)});
    }
    std::vector<Candidate> take() { return std::move(out_); }
    size_t size() const { return out_.size(); }

    const TrainingProgram& program;
    const std::string_view text;
    const char quote;

    bool keras() const {
        return program.framework == Framework::Keras || program.framework == Framework::TfKeras;
    }

    // The string value's literal rewritten to `body`, keeping its quotes. A dotted reference whose last name
    // is the value (`keras.activations.relu`, `losses.mean_squared_error`) has that name rewritten instead,
    // when `dotted_ok` says the module has the new name too.
    std::optional<Replacement> set_string(const Value<std::string>& v, const std::string& body,
                                          bool dotted_ok) const {
        if (!v.literal) return std::nullopt;
        const Span& s = *v.literal;
        if (auto lit = string_literal_at(text, s.start_byte, s.end_byte))
            return replace_bytes(text, lit->body_start, lit->body_end, body);
        if (!dotted_ok || s.end_byte > text.size() || !v.known()) return std::nullopt;
        std::string_view written = text.substr(s.start_byte, s.end_byte - s.start_byte);
        auto dot = written.rfind('.');
        if (dot == std::string_view::npos || written.substr(dot + 1) != *v) return std::nullopt;
        for (char c : written)
            if (c != '.' && c != '_' && !std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
        return replace_bytes(text, s.start_byte + static_cast<uint32_t>(dot) + 1, s.end_byte, body);
    }

    template <class T>
    std::optional<Replacement> set_literal(const Value<T>& v, const std::string& written) const {
        if (!v.literal || v.literal->end_byte > text.size()) return std::nullopt;
        return replace_bytes(text, v.literal->start_byte, v.literal->end_byte, written);
    }

    std::optional<CallText> call_in(const Span& span) const {
        if (span.end_byte <= span.start_byte || span.end_byte > text.size()) return std::nullopt;
        auto call = call_at(text, span.start_byte, span.end_byte);
        // `model.add(Dense(...))`: the layer is the argument.
        if (call && call->name(text) == "add" && !call->args.empty())
            return call_at(text, call->args.front().start, call->args.front().end);
        return call;
    }

    std::optional<CallText> fit_call() const {
        const Span& s = program.fit_call;
        if (s.end_byte <= s.start_byte || s.end_byte > text.size()) return std::nullopt;
        for (const char* name : {"fit", "fit_generator"}) {
            auto call = call_at(text, s.start_byte, s.end_byte);
            if (call && call->name(text) == name) return call;
            if (auto found = find_call(text, s.start_byte, s.end_byte, name)) return found;
        }
        return std::nullopt;
    }

    // Whether `name` can be written unqualified: the script imports it (`from keras.optimizers import Adam`).
    bool imported(std::string_view name) const {
        for (size_t pos = text.find(name); pos != std::string_view::npos; pos = text.find(name, pos + 1)) {
            size_t end = pos + name.size();
            bool word = (pos == 0 || !(std::isalnum(static_cast<unsigned char>(text[pos - 1])) ||
                                       text[pos - 1] == '_')) &&
                        (end >= text.size() ||
                         !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'));
            if (!word) continue;
            size_t ls = line_start(text, static_cast<uint32_t>(pos));
            std::string_view line = text.substr(ls, pos - ls);
            if (line.find("import") != std::string_view::npos && line.find('#') == std::string_view::npos)
                return true;
        }
        return false;
    }

private:
    std::vector<Candidate> out_;
    std::set<std::string> titles_;
};

// ---------------------------------------------------------------------------------------------------- loss

struct TorchLoss {
    const char* torch_class;
    const char* canonical; // how the parser names the torch class
};

std::optional<TorchLoss> torch_loss(const std::string& target, const std::string& output_activation) {
    if (target == "categorical_crossentropy" || target == "sparse_categorical_crossentropy")
        return TorchLoss{"CrossEntropyLoss", "sparse_categorical_crossentropy"};
    if (target == "binary_crossentropy")
        return output_activation == "sigmoid" ? TorchLoss{"BCELoss", "binary_crossentropy"}
                                              : TorchLoss{"BCEWithLogitsLoss", "binary_crossentropy"};
    if (target == "mean_squared_error") return TorchLoss{"MSELoss", "mean_squared_error"};
    return std::nullopt;
}

const char* keras_loss_class(const std::string& target) {
    if (target == "categorical_crossentropy") return "CategoricalCrossentropy";
    if (target == "sparse_categorical_crossentropy") return "SparseCategoricalCrossentropy";
    if (target == "binary_crossentropy") return "BinaryCrossentropy";
    if (target == "mean_squared_error") return "MeanSquaredError";
    return nullptr;
}

// Replaces the callee's last name when the call takes no arguments and the new name is reachable.
std::optional<Replacement> rename_call(const Builder& b, const CallText& call, const std::string& new_name) {
    if (!call.args.empty()) return std::nullopt;
    bool qualified = call.name_start > call.start;
    if (!qualified && !b.imported(new_name)) return std::nullopt;
    return replace_bytes(b.text, call.name_start, call.callee_end, new_name);
}

struct Edit {
    std::string title;
    Replacement replacement;
    std::string check_value; // the canonical value the re-parsed program must show
};

std::optional<Edit> loss_edit(const Builder& b, const std::string& target, const std::string& output_act) {
    const Loss& loss = b.program.loss;
    if (loss.name.literal) {
        if (auto lit =
                string_literal_at(b.text, loss.name.literal->start_byte, loss.name.literal->end_byte)) {
            // Keep the script's short spelling when it uses one ('mse').
            bool short_style = lit->body_end - lit->body_start <= 4;
            std::string written = target == "mean_squared_error" && short_style ? "mse" : target;
            return Edit{"Use loss=" + quoted(written, lit->quote),
                        replace_bytes(b.text, lit->body_start, lit->body_end, written), target};
        }
        if (auto r = b.set_string(loss.name, target, true))
            return Edit{"Use the " + target + " loss", *r, target};
    }
    auto call = b.call_in(loss.call);
    if (!call) return std::nullopt;
    if (b.program.framework == Framework::PyTorch) {
        auto t = torch_loss(target, output_act);
        if (!t) return std::nullopt;
        if (auto r = rename_call(b, *call, t->torch_class))
            return Edit{"Use " + std::string(t->torch_class) + "()", *r, t->canonical};
        return std::nullopt;
    }
    if (const char* cls = keras_loss_class(target); cls && b.keras())
        if (auto r = rename_call(b, *call, cls)) return Edit{"Use " + std::string(cls) + "()", *r, target};
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------- activation

std::optional<Edit> activation_edit(const Builder& b, const Layer& layer, const std::string& target,
                                    bool output) {
    const std::string where = output ? " to the output layer" : "";
    if (layer.activation.known() && *layer.activation == target) return std::nullopt;
    if (layer.kind == "Softmax" || (is_activation_kind(layer.kind) && layer.kind != "Activation"))
        return std::nullopt;
    const bool torch = b.program.framework == Framework::PyTorch;
    if (torch && target == "linear" && layer.kind == "Activation") {
        // A functional activation in forward() (`F.softmax(self.fc2(x), dim=1)`): keep only its input.
        auto call = b.call_in(layer.span);
        if (!call || call->args.empty() || !call->args[0].keyword.empty() ||
            call->start != layer.span.start_byte)
            return std::nullopt;
        std::string callee(call->callee(b.text));
        std::string input(b.text.substr(call->args[0].start, call->args[0].end - call->args[0].start));
        return Edit{"Remove " + callee + " (the loss takes raw scores)",
                    replace_bytes(b.text, call->start, call->close + 1, input), target};
    }
    if (layer.activation.literal) {
        // Only the activations modules of Keras and tf.nn spell every one of these names; torch's softmax
        // takes a `dim` the others do not.
        bool softmax_now =
            layer.activation.value_or("") == "softmax" || layer.activation.value_or("") == "log_softmax";
        bool dotted_ok = torch ? !softmax_now && target != "linear" && target != "softmax"
                               : target != "linear" || b.keras();
        if (auto r = b.set_string(layer.activation, target, dotted_ok))
            return Edit{output ? "Use the '" + target + "' activation" : "", *r, target};
        return std::nullopt;
    }
    if (layer.activation.kind != OriginKind::Default || !b.keras() || !is_weighted_kind(layer.kind))
        return std::nullopt;
    if (target == "linear") return std::nullopt; // the default already is linear
    auto call = b.call_in(layer.span);
    if (!call) return std::nullopt;
    std::string arg = "activation=" + quoted(target, b.quote);
    return Edit{"Add " + arg + where, append_argument(b.text, *call, arg), target};
}

bool output_activation_is(const TrainingProgram& p, const std::string& target) {
    return output_layer(p).activation == target;
}

void output_activation_candidates(Builder& b) {
    OutputLayer out = output_layer(b.program);
    if (out.index < 0) return;
    std::string target = fitting_output_activation(b.program);
    if (target.empty() || target == out.activation) return;
    const Layer& layer = b.program.layers[out.activation_index];
    if (auto e = activation_edit(b, layer, target, true))
        b.add(e->title, {e->replacement},
              [target](const TrainingProgram& p) { return output_activation_is(p, target); });
}

// The activation each hidden weighted layer ends with, and the layer whose value sets it.
struct HiddenActivation {
    int setter = -1;
    std::string name;
};

std::vector<HiddenActivation> hidden_activations(const TrainingProgram& program) {
    std::vector<HiddenActivation> out;
    OutputLayer output = output_layer(program);
    const auto& layers = program.layers;
    for (int i = 0; i < output.index; ++i) {
        const std::string& kind = layers[i].kind;
        if (kind != "Dense" && kind != "Conv1D" && kind != "Conv2D") continue;
        HiddenActivation h{i, layers[i].activation.value_or(
                                  layers[i].activation.kind == OriginKind::Default ? "linear" : "")};
        for (int j = i + 1; j < output.index && !is_weighted_kind(layers[j].kind); ++j) {
            if (!is_activation_kind(layers[j].kind)) continue;
            h.setter = j;
            h.name = layers[j].kind == "Activation" ? layers[j].activation.value_or("") : "leaky_relu";
        }
        out.push_back(h);
    }
    return out;
}

void hidden_relu_candidate(Builder& b) {
    std::vector<Replacement> edits;
    for (const auto& h : hidden_activations(b.program)) {
        if (!hinders_hidden_layers(h.name)) continue;
        auto e = activation_edit(b, b.program.layers[h.setter], "relu", false);
        if (!e) return; // a partial change would leave the network half-fixed: offer nothing instead
        edits.push_back(e->replacement);
    }
    b.add("Use relu in the hidden layers", edits, [](const TrainingProgram& p) {
        for (const auto& h : hidden_activations(p))
            if (hinders_hidden_layers(h.name)) return false;
        return true;
    });
}

// Softmax with categorical cross-entropy and sigmoid with binary cross-entropy both fit a multi-unit output
// (one label per sample or several); when the program's shape says nothing against the one it has, the other
// is the candidate left, and the probe decides.
void output_family_swap(Builder& b) {
    OutputLayer out = output_layer(b.program);
    if (out.index < 0 || !out.units || *out.units < 2 || !b.keras()) return;
    const std::string loss = b.program.loss.name.value_or("");
    std::string act, new_loss;
    if (out.activation == "softmax" && loss == "categorical_crossentropy") {
        act = "sigmoid";
        new_loss = "binary_crossentropy";
    } else if (out.activation == "sigmoid" && loss == "binary_crossentropy") {
        act = "softmax";
        new_loss = "categorical_crossentropy";
    } else {
        return;
    }
    auto l = loss_edit(b, new_loss, act);
    auto a = activation_edit(b, b.program.layers[out.activation_index], act, true);
    if (!l || !a) return;
    b.add("Use " + act + " outputs with the " + new_loss + " loss", {l->replacement, a->replacement},
          [new_loss, act](const TrainingProgram& p) {
              return value_is(p.loss.name, new_loss) && output_activation_is(p, act);
          });
}

void loss_candidates(Builder& b) {
    const std::string current = b.program.loss.name.value_or("");
    OutputLayer out = output_layer(b.program);
    std::vector<std::string> targets = fitting_losses(b.program);
    if (targets.empty()) targets = {"categorical_crossentropy", "binary_crossentropy", "mean_squared_error"};
    for (const auto& target : targets) {
        if (target == current) continue;
        auto e = loss_edit(b, target, out.activation);
        if (!e) continue;
        std::string check = e->check_value;
        b.add(e->title, {e->replacement},
              [check](const TrainingProgram& p) { return value_is(p.loss.name, check); });
        // A loss that needs another output activation is only useful with it: offer the pair as well.
        TrainingProgram with_loss = reparse_with(b.text, {e->replacement});
        std::string act = fitting_output_activation(with_loss);
        if (out.index < 0 || act.empty() || act == out.activation ||
            b.program.framework == Framework::PyTorch)
            continue;
        if (auto a = activation_edit(b, b.program.layers[out.activation_index], act, true))
            b.add(e->title + " with a " + act + " output", {e->replacement, a->replacement},
                  [check, act](const TrainingProgram& p) {
                      return value_is(p.loss.name, check) && output_activation_is(p, act);
                  });
    }
    if (b.size() == 0) output_family_swap(b);
}

// -------------------------------------------------------------------------------------------- learning rate

// Values around each optimizer's working range, the framework default first.
std::vector<double> working_learning_rates(const std::string& optimizer) {
    if (optimizer == "sgd") return {0.01, 0.1, 0.001, 0.0001};
    if (optimizer == "adagrad") return {0.01, 0.1, 0.001};
    if (optimizer == "adadelta") return {1.0, 0.1};
    if (optimizer == "adam" || optimizer == "rmsprop" || optimizer == "adamax" || optimizer == "nadam" ||
        optimizer == "adamw")
        return {0.001, 0.0001, 0.01, 0.1};
    return {0.01, 0.001};
}

std::string lr_keyword(const TrainingProgram& program) {
    if (!program.optimizer.lr_keyword.empty()) return program.optimizer.lr_keyword;
    switch (program.framework) {
    case Framework::Keras:
    case Framework::PyTorch:
        return "lr";
    default:
        return "learning_rate";
    }
}

// The optimizer's constructor call, and only that: a compile() taking the default optimizer is not one.
std::optional<CallText> optimizer_call(const Builder& b) {
    const Optimizer& opt = b.program.optimizer;
    if (opt.written_as_string) return std::nullopt;
    auto call = b.call_in(opt.call);
    if (!call) return std::nullopt;
    std::string name(call->name(b.text));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string canonical = opt.name.value_or("?");
    bool matches = name.find(canonical) != std::string::npos || name.find("optimizer") != std::string::npos ||
                   (canonical == "sgd" && name.find("gradientdescent") != std::string::npos);
    return matches ? call : std::nullopt;
}

const char* keras_optimizer_class(const std::string& canonical) {
    static constexpr std::pair<const char*, const char*> kClasses[] = {
        {"sgd", "SGD"},           {"adam", "Adam"},     {"rmsprop", "RMSprop"}, {"adagrad", "Adagrad"},
        {"adadelta", "Adadelta"}, {"adamax", "Adamax"}, {"nadam", "Nadam"}};
    for (const auto& [name, cls] : kClasses)
        if (canonical == name) return cls;
    return nullptr;
}

bool has_line(std::string_view text, const std::string& line) {
    for (size_t pos = text.find(line); pos != std::string_view::npos; pos = text.find(line, pos + 1)) {
        bool starts = pos == 0 || text[pos - 1] == '\n';
        size_t end = pos + line.size();
        bool ends = end >= text.size() || text[end] == '\n' || text[end] == ' ' || text[end] == '\r';
        if (starts && ends) return true;
    }
    return false;
}

// Where a new top-level import goes: the start of the line after the last one-line import at column 0.
std::optional<uint32_t> import_insertion_point(std::string_view text) {
    std::optional<uint32_t> at;
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) break; // an import on the last line without a newline: leave it
        std::string_view line = text.substr(start, end - start);
        if (line.rfind("import ", 0) == 0 || line.rfind("from ", 0) == 0) {
            if (line.find('(') != std::string_view::npos || line.find('\\') != std::string_view::npos)
                return std::nullopt; // a multi-line import: not worth the risk
            at = static_cast<uint32_t>(end + 1);
        }
        start = end + 1;
    }
    return at;
}

// How the script names a Keras optimizer class: through a module it already imports, else through
// `optimizers` imported by one new line after its imports. Empty prefix: the class itself is imported.
struct OptimizerPath {
    std::string prefix;
    std::optional<Replacement> import;
};

std::optional<OptimizerPath> keras_optimizer_path(const Builder& b, const std::string& cls) {
    const bool tf = b.program.framework == Framework::TfKeras;
    const std::string package = tf ? "tensorflow.keras" : "keras";
    if (b.imported(cls)) return OptimizerPath{"", std::nullopt};
    if (has_line(b.text, "from " + package + " import optimizers"))
        return OptimizerPath{"optimizers.", std::nullopt};
    if (tf ? has_line(b.text, "from tensorflow import keras") : has_line(b.text, "import keras"))
        return OptimizerPath{"keras.optimizers.", std::nullopt};
    if (tf && has_line(b.text, "import tensorflow as tf"))
        return OptimizerPath{"tf.keras.optimizers.", std::nullopt};
    auto at = import_insertion_point(b.text);
    if (!at || b.text.find("optimizers") != std::string_view::npos) return std::nullopt;
    return OptimizerPath{"optimizers.", insert_at(b.text, *at, "from " + package + " import optimizers\n")};
}

// Replaces a string optimizer ('adam') by the equivalent object with `arguments`, spelled through a module
// the script imports (or one new import line). Empty when that cannot be done safely.
std::vector<Replacement> string_optimizer_as_object(const Builder& b, const std::string& canonical,
                                                    const std::string& arguments) {
    const Optimizer& opt = b.program.optimizer;
    if (!opt.written_as_string || !b.keras() || opt.call.end_byte > b.text.size()) return {};
    auto lit = string_literal_at(b.text, opt.call.start_byte, opt.call.end_byte);
    const char* cls = keras_optimizer_class(canonical);
    if (!lit || !cls) return {};
    auto path = keras_optimizer_path(b, cls);
    if (!path) return {};
    std::vector<Replacement> edits;
    if (path->import) edits.push_back(*path->import);
    edits.push_back(replace_bytes(b.text, lit->start, lit->end, path->prefix + cls + "(" + arguments + ")"));
    return edits;
}

void lr_candidates(Builder& b) {
    const Optimizer& opt = b.program.optimizer;
    const Value<double>& lr = opt.lr;
    for (double target : working_learning_rates(opt.name.value_or(""))) {
        // Values within a factor of 3 of the current one would not change the outcome clearly.
        if (lr.known() && *lr > 0 && target / *lr < 3 && *lr / target < 3) continue;
        std::vector<Replacement> edits;
        std::optional<Replacement> edit;
        std::string written;
        if (lr.kind == OriginKind::Literal && lr.literal && lr.literal->end_byte <= b.text.size()) {
            std::string_view old =
                b.text.substr(lr.literal->start_byte, lr.literal->end_byte - lr.literal->start_byte);
            written = format_float(target, old);
            edit = b.set_literal(lr, written);
        } else if (lr.kind == OriginKind::Default && !opt.written_as_string) {
            if (auto call = optimizer_call(b)) {
                written = format_float(target);
                edit = append_argument(b.text, *call, lr_keyword(b.program) + "=" + written);
            }
        } else if (lr.kind == OriginKind::Default && opt.name.known()) {
            written = format_float(target);
            edits = string_optimizer_as_object(b, *opt.name, lr_keyword(b.program) + "=" + written);
        }
        if (edit) edits.push_back(*edit);
        b.add("Use learning rate " + written, edits,
              [target](const TrainingProgram& p) { return value_is(p.optimizer.lr, target); });
    }
}

// ---------------------------------------------------------------------------------------------- optimizer

struct OptimizerClass {
    const char* canonical;
    const char* keras;
    const char* torch;
    const char* tf1;
};

constexpr OptimizerClass kOptimizerClasses[] = {
    {"sgd", "SGD", "SGD", "GradientDescentOptimizer"},
    {"adam", "Adam", "Adam", "AdamOptimizer"},
    {"rmsprop", "RMSprop", "RMSprop", "RMSPropOptimizer"},
};

const char* class_name(Framework f, const std::string& canonical) {
    for (const auto& c : kOptimizerClasses) {
        if (canonical != c.canonical) continue;
        if (f == Framework::PyTorch) return c.torch;
        if (f == Framework::TF1) return c.tf1;
        return c.keras;
    }
    return nullptr;
}

// Keyword arguments both classes understand; everything else is dropped when switching class.
bool kept_keyword(const std::string& kw) {
    return kw == "lr" || kw == "learning_rate" || kw == "decay" || kw == "clipnorm" || kw == "clipvalue" ||
           kw == "weight_decay" || kw == "name" || kw == "use_locking";
}

void switch_optimizer(Builder& b, const std::string& target, double momentum) {
    const Optimizer& opt = b.program.optimizer;
    const Framework fw = b.program.framework;
    const bool tf1_momentum = fw == Framework::TF1 && momentum > 0;
    const char* cls = tf1_momentum ? "MomentumOptimizer" : class_name(fw, target);
    auto call = optimizer_call(b);
    if (!cls || !call) return;
    if (call->name_start == call->start && !b.imported(cls)) return; // would need a new import
    std::vector<Replacement> edits{replace_bytes(b.text, call->name_start, call->callee_end, cls)};
    std::vector<double> range = working_learning_rates(target);
    bool lr_set = false;
    for (size_t i = call->args.size(); i-- > 0;) {
        const Argument& a = call->args[i];
        bool lr_arg = a.keyword == "lr" || a.keyword == "learning_rate" ||
                      (a.keyword.empty() && i == (fw == Framework::PyTorch ? 1u : 0u));
        if (lr_arg) {
            lr_set = true;
            // A rate far outside the new class's working range (SGD's 0.1 for Adam) is replaced by its
            // default.
            double current = opt.lr.value_or(range.front());
            if (current > range.front() * 10 || current < range.front() / 10)
                edits.push_back(replace_bytes(b.text, a.value_start, a.end, format_float(range.front())));
            continue;
        }
        if (!a.keyword.empty() && !kept_keyword(a.keyword))
            edits.push_back(remove_argument(b.text, *call, i));
    }
    // Edits must not overlap: removing an argument next to another edit would clash, so build from the call.
    for (size_t i = 1; i < edits.size(); ++i)
        for (size_t j = i + 1; j < edits.size(); ++j)
            if (edits[i].range.start_byte < edits[j].range.end_byte &&
                edits[j].range.start_byte < edits[i].range.end_byte)
                return;
    if (!lr_set && fw == Framework::PyTorch && target == "sgd")
        edits.push_back(append_argument(b.text, *call, "lr=" + format_float(range.front())));
    if (momentum > 0) edits.push_back(append_argument(b.text, *call, "momentum=" + format_float(momentum)));
    std::string title =
        momentum > 0 ? "Use SGD with momentum " + format_float(momentum) : "Use " + std::string(cls);
    std::string canonical = tf1_momentum ? "sgd" : target;
    b.add(title, edits, [canonical, momentum](const TrainingProgram& p) {
        return value_is(p.optimizer.name, canonical) &&
               (momentum <= 0 || value_is(p.optimizer.momentum, momentum));
    });
}

void optimizer_candidates(Builder& b) {
    const Optimizer& opt = b.program.optimizer;
    const std::string current = opt.name.value_or("");
    if (opt.written_as_string) {
        for (std::string target : {"adam", "rmsprop", "sgd"}) {
            if (target == current) continue;
            auto r = b.set_string(opt.name, target, false);
            if (!r && opt.call.end_byte <= b.text.size())
                if (auto lit = string_literal_at(b.text, opt.call.start_byte, opt.call.end_byte))
                    r = replace_bytes(b.text, lit->body_start, lit->body_end, target);
            if (!r) continue;
            b.add("Use optimizer=" + quoted(target, b.quote), {*r},
                  [target](const TrainingProgram& p) { return value_is(p.optimizer.name, target); });
        }
        // SGD with momentum has no string spelling: write the object.
        std::string args = lr_keyword(b.program) + "=0.01, momentum=0.9";
        b.add("Use SGD with momentum 0.9", string_optimizer_as_object(b, "sgd", args),
              [](const TrainingProgram& p) {
                  return value_is(p.optimizer.name, std::string("sgd")) &&
                         value_is(p.optimizer.momentum, 0.9);
              });
        return;
    }
    if (current != "adam") switch_optimizer(b, "adam", 0);
    if (current == "sgd" && opt.momentum.value_or(0) == 0) {
        // Plain SGD: momentum is one argument away.
        if (opt.momentum.kind == OriginKind::Literal && opt.momentum.literal) {
            if (auto r = b.set_literal(opt.momentum, "0.9"))
                b.add("Use SGD with momentum 0.9", {*r},
                      [](const TrainingProgram& p) { return value_is(p.optimizer.momentum, 0.9); });
        } else if (auto call = optimizer_call(b); call && b.program.framework != Framework::TF1) {
            b.add("Use SGD with momentum 0.9", {append_argument(b.text, *call, "momentum=0.9")},
                  [](const TrainingProgram& p) { return value_is(p.optimizer.momentum, 0.9); });
        }
    } else if (current != "sgd") {
        switch_optimizer(b, "sgd", 0.9);
    }
}

// ------------------------------------------------------------------------------------------ epochs, batches

// The epoch at which the baseline's training loss had done 95% of its fall, in the user's epochs; nullopt
// when it was still falling at the end of the probe.
std::optional<int64_t> flattening_epoch(const Trace& trace) {
    auto it = trace.series.find("train_loss");
    if (it == trace.series.end() || it->second.size() < 4) return std::nullopt;
    const auto& loss = it->second;
    for (double v : loss)
        if (!std::isfinite(v)) return std::nullopt;
    double first = loss.front(), last = loss.back();
    if (first - last <= 0) return std::nullopt;
    size_t n = loss.size();
    size_t k = 0;
    while (k < n && loss[k] - last > 0.05 * (first - last))
        ++k;
    if (k + n / 4 >= n) return std::nullopt; // flat only at the very end: more epochs may still help
    return static_cast<int64_t>(std::ceil(static_cast<double>(k + 1) * std::max(1.0, trace.epoch_scale)));
}

std::vector<int64_t> epoch_targets(int64_t current, const Trace* baseline) {
    std::vector<int64_t> out;
    if (baseline && baseline->status == ProbeStatus::Ok)
        if (auto flat = flattening_epoch(*baseline); flat && *flat < current / 2) out.push_back(*flat);
    for (int64_t t : {std::max<int64_t>(current * 4, 10), std::max<int64_t>(current * 10, 30)})
        if (t <= 10000 && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    return out;
}

void count_candidates(Builder& b, Value<int64_t> TrainingProgram::*field, const char* keyword,
                      const char* what, const std::vector<int64_t>& targets) {
    const Value<int64_t>& value = b.program.*field;
    for (int64_t target : targets) {
        if (value.known() && *value == target) continue;
        std::optional<Replacement> edit;
        if (value.kind == OriginKind::Literal && value.literal) {
            edit = b.set_literal(value, std::to_string(target));
        } else if (value.kind == OriginKind::Default && b.keras()) {
            if (auto fit = b.fit_call())
                edit = append_argument(b.text, *fit, std::string(keyword) + "=" + std::to_string(target));
        }
        if (!edit) continue;
        b.add(std::string("Use ") + what + " " + std::to_string(target), {*edit},
              [field, target](const TrainingProgram& p) { return value_is(p.*field, target); });
    }
}

void epoch_candidates(Builder& b, const Trace* baseline) {
    // TF1 loops count steps; everything else counts epochs (Keras' default is 1).
    bool steps = !b.program.epochs.known() && b.program.steps.known();
    auto field = steps ? &TrainingProgram::steps : &TrainingProgram::epochs;
    int64_t current = (b.program.*field).value_or(1);
    count_candidates(b, field, "epochs", steps ? "steps" : "epochs", epoch_targets(current, baseline));
}

void batch_candidates(Builder& b) {
    const Value<int64_t>& batch = b.program.batch_size;
    int64_t current = batch.value_or(32);
    std::vector<int64_t> targets;
    for (int64_t t : {32, 128, 8})
        if (t * 2 <= current || current * 2 <= t) targets.push_back(t);
    if (targets.size() > 2) targets.resize(2);
    count_candidates(b, &TrainingProgram::batch_size, "batch_size", "batch size", targets);
}

// ------------------------------------------------------------------------------------------ input scaling

bool input_scaled(const TrainingProgram& p) {
    if (p.data.scaled.known() && *p.data.scaled) return true;
    return p.data.input_max.known() && *p.data.input_max <= 1.5;
}

// Scales the training inputs (and the validation inputs passed to fit) in a statement inserted before the fit
// call, where the names the fit uses are known to be bound. Pixels are divided by 255; other inputs are
// standardized with the training statistics.
void scaling_candidates(Builder& b) {
    const Data& data = b.program.data;
    if (!b.keras() || input_scaled(b.program)) return;
    bool unscaled =
        (data.scaled.known() && !*data.scaled) || (data.input_max.known() && *data.input_max > 1.5);
    if (!unscaled) return;
    auto fit = b.fit_call();
    if (!fit || fit->args.empty() || !fit->args[0].keyword.empty()) return;
    std::string x(b.text.substr(fit->args[0].start, fit->args[0].end - fit->args[0].start));
    if (!is_identifier(x)) return;
    std::string x_val;
    if (const Argument* v = fit->keyword("validation_data")) {
        std::string_view tuple = b.text.substr(v->value_start, v->end - v->value_start);
        if (!tuple.empty() && (tuple.front() == '(' || tuple.front() == '[')) {
            auto comma = tuple.find(',');
            if (comma != std::string_view::npos) {
                std::string_view first = tuple.substr(1, comma - 1);
                while (!first.empty() && first.front() == ' ')
                    first.remove_prefix(1);
                while (!first.empty() && first.back() == ' ')
                    first.remove_suffix(1);
                if (is_identifier(first)) x_val = std::string(first);
            }
        }
    }
    uint32_t at = line_start(b.text, fit->start);
    std::string indent = indentation_at(b.text, fit->start);
    // The fit call may continue a statement (`history = model.fit(`): insert before that statement's line.
    bool pixels =
        data.is_image || (data.input_max.known() && *data.input_max > 100 && *data.input_max <= 255);
    std::string text;
    std::string title;
    if (pixels) {
        for (const std::string& name : {x, x_val})
            if (!name.empty()) text += indent + name + " = " + name + " / 255.0\n";
        title = "Scale the inputs to 0..1 (" + x + " / 255.0)";
    } else {
        // The validation inputs first: they need the training statistics before those are standardized.
        if (!x_val.empty())
            text += indent + x_val + " = (" + x_val + " - " + x + ".mean(axis=0)) / (" + x +
                    ".std(axis=0) + 1e-8)\n";
        text += indent + x + " = (" + x + " - " + x + ".mean(axis=0)) / (" + x + ".std(axis=0) + 1e-8)\n";
        title = "Standardize the inputs (" + x + ")";
    }
    b.add(title, {insert_at(b.text, at, text)}, [](const TrainingProgram& p) { return input_scaled(p); });
}

// ------------------------------------------------------------------------------------------ initializers

bool sound_initializer(const std::string& name) {
    return name == "glorot_uniform" || name == "glorot_normal" || name == "he_normal" ||
           name == "he_uniform" || name == "lecun_normal" || name == "lecun_uniform" || name == "orthogonal";
}

void initializer_candidates(Builder& b) {
    std::vector<const Layer*> written;
    for (const auto& layer : b.program.layers)
        if (layer.kernel_initializer.known() && layer.kernel_initializer.literal &&
            !sound_initializer(*layer.kernel_initializer))
            written.push_back(&layer);
    if (written.empty()) return;
    bool relu = false;
    for (const auto& h : hidden_activations(b.program))
        relu = relu || h.name == "relu";
    std::vector<std::string> targets{"glorot_uniform"};
    if (relu) targets.insert(targets.begin(), "he_normal");
    for (const auto& target : targets) {
        std::vector<Replacement> edits;
        for (const Layer* layer : written) {
            auto r = b.set_string(layer->kernel_initializer, target, false);
            if (!r) return;
            edits.push_back(*r);
        }
        b.add("Use the " + target + " initializer", edits, [target](const TrainingProgram& p) {
            for (const auto& layer : p.layers)
                if (layer.kernel_initializer.known() && layer.kernel_initializer.literal &&
                    *layer.kernel_initializer != target && !sound_initializer(*layer.kernel_initializer))
                    return false;
            return true;
        });
    }
}

} // namespace

std::vector<Candidate> build_candidates(Fault fault, const TrainingProgram& program, std::string_view text,
                                        const Trace* baseline) {
    Builder b(program, text);
    switch (fault) {
    case Fault::loss:
        loss_candidates(b);
        break;
    case Fault::act:
        output_activation_candidates(b);
        hidden_relu_candidate(b);
        if (b.size() == 0) output_family_swap(b);
        break;
    case Fault::lr:
        lr_candidates(b);
        break;
    case Fault::opt:
        optimizer_candidates(b);
        break;
    case Fault::epoch:
        epoch_candidates(b, baseline);
        break;
    case Fault::batch_size:
        batch_candidates(b);
        break;
    case Fault::data_preprocessing:
        scaling_candidates(b);
        break;
    case Fault::weight_init:
        initializer_candidates(b);
        break;
    case Fault::hidden_activation:
        hidden_relu_candidate(b);
        break;
    default:
        break;
    }
    return b.take();
}

} // namespace faultline::fixes

namespace faultline {

std::vector<Fix> candidate_fixes(Fault fault, const TrainingProgram& program, std::string_view text,
                                 const Trace* baseline) {
    std::vector<Fix> out;
    for (auto& c : fixes::build_candidates(fault, program, text, baseline))
        out.push_back(std::move(c.fix));
    return out;
}

} // namespace faultline
