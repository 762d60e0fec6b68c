// Numeric facts a few checks need and the framework readers do not record: whether the model computes in
// float16, the epsilon of adaptive optimizers, and logarithms of probabilities with no guard against 0.
#include "defaults.h"
#include "extract.h"

namespace faultline {

using namespace syntax;

// A name followed to the expression last assigned to it, a few hops at most (`dtype = tf.float16`).
TSNode through_names(const Context& cx, TSNode n, std::vector<Span>* uses) {
    for (int hops = 0; hops < 8; ++hops) {
        n = unwrap(n);
        if (!is(n, "identifier")) return n;
        const Binding* b = cx.scope.lookup(n);
        if (!b || b->kind != Binding::Kind::Assign || !b->path.empty() || null(b->value)) return n;
        if (uses) uses->push_back(span(n));
        n = b->value;
    }
    return n;
}

namespace {

std::string qualified(const Context& cx, TSNode n) {
    std::string d = dotted(cx.src, n);
    return d.empty() ? d : cx.scope.qualify(d);
}

// tf.float16, torch.half, np.float16 or the string 'float16' ('mixed_float16' is a mixed-precision policy).
bool names_float16(const Context& cx, TSNode n) {
    n = through_names(cx, n);
    if (auto s = string_literal(cx.src, n)) return *s == "float16" || *s == "half";
    std::string q = qualified(cx, n);
    return q == "tensorflow.float16" || q == "tensorflow.dtypes.float16" ||
           q == "tensorflow.compat.v1.float16" || q == "torch.float16" || q == "torch.half" ||
           q == "torch.HalfTensor" || q == "torch.cuda.HalfTensor";
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// A PyTorch network object: a call of a class the script defines, or nn.Sequential, possibly through names
// and
// `.to(device)` / `.cuda()` chains.
bool is_torch_model(const Context& cx, TSNode n) {
    for (int hops = 0; hops < 8; ++hops) {
        n = through_names(cx, n);
        if (!is(n, "call")) return false;
        TSNode recv = receiver(n);
        std::string method = callee_name(cx.src, n);
        if (!null(recv) && (method == "to" || method == "cuda" || method == "float" || method == "train")) {
            n = recv;
            continue;
        }
        std::string callee = cx.ev.callee(n);
        if (last_part(callee) == "Sequential") return true;
        return is(cx.scope.definition(dotted(cx.src, field(n, "function"))), "class_definition");
    }
    return false;
}

// Where the script makes its model compute in float16, or a null node.
TSNode float16_site(const Context& cx) {
    bool torch = cx.prog.framework == Framework::PyTorch;
    for (const CallSite& c : cx.scope.calls()) {
        Args a = call_args(cx.src, c.call);
        std::string q = cx.ev.callee(c.call);
        std::string_view name = last_part(q.empty() ? c.method : q);
        if (torch) {
            // model.half(), model.to(torch.float16), torch.set_default_dtype(torch.float16).
            TSNode recv = receiver(c.call);
            if (c.method == "half" && a.positional.empty() && !null(recv) && is_torch_model(cx, recv))
                return c.call;
            TSNode dtype = arg(a, 0, {"dtype"});
            if ((c.method == "to" || c.method == "type") && !null(recv) && !null(dtype) &&
                names_float16(cx, dtype) && is_torch_model(cx, recv))
                return dtype;
            if ((q == "torch.set_default_dtype" || q == "torch.set_default_tensor_type") && !null(dtype) &&
                names_float16(cx, dtype))
                return dtype;
            continue;
        }
        // Keras/TF: the default float type, a float16 policy, or a graph tensor declared float16.
        if (name == "set_floatx" || name == "set_global_policy" || name == "set_policy" || name == "Policy") {
            TSNode v = arg(a, 0, {"value", "policy", "name"});
            if (!null(v) && names_float16(cx, v)) return v;
            continue;
        }
        bool graph = starts_with(q, "tensorflow.") || starts_with(q, "keras.");
        if (!graph) continue;
        // Keras layers cast their inputs to their own dtype, so a float16 Input or tf.cast feeding a float32
        // layer does not make the model float16; a layer declared float16 does.
        bool keras = cx.prog.framework == Framework::Keras || cx.prog.framework == Framework::TfKeras;
        if (keras && (q.find(".layers.") == std::string::npos || name == "Input" || name == "InputLayer"))
            continue;
        TSNode dtype = name == "placeholder" ? arg(a, 0, {"dtype"})
                       : name == "cast"      ? arg(a, 1, {"dtype"})
                                             : arg(a, -1, {"dtype"});
        if (!null(dtype) && names_float16(cx, dtype)) return dtype;
    }
    return TSNode{};
}

void read_float16(Context& cx) {
    TSNode site = float16_site(cx);
    Value<bool>& f = cx.prog.float16;
    if (null(site)) {
        f = default_value(false, Span{}, "no float16 dtype written");
        return;
    }
    std::vector<Span> uses;
    TSNode written = through_names(cx, site, &uses);
    f.value = true;
    f.kind = OriginKind::Literal;
    f.origin = span(cx.scope.statement_of(written));
    f.literal = span(written);
    TSNode use_stmt = cx.scope.statement_of(site);
    if (span(use_stmt) != f.origin) f.uses.push_back(span(use_stmt));
}

void read_epsilon(Context& cx) {
    Optimizer& o = cx.prog.optimizer;
    Framework fw = cx.prog.framework;
    o.epsilon_keyword = fw == Framework::PyTorch ? "eps" : "epsilon";
    if (!o.name.known()) return;
    std::optional<double> fallback = default_epsilon(fw, *o.name);
    if (o.written_as_string) {
        if (fallback) o.epsilon = default_value(*fallback, o.call, "framework default epsilon");
        return;
    }
    for (const CallSite& c : cx.scope.calls()) {
        if (span(c.call) != o.call) continue;
        o.arguments = span(field(c.call, "arguments"));
        TSNode eps = arg(call_args(cx.src, c.call), -1, {"epsilon", "eps"});
        Value<double> written = null(eps) ? Value<double>{} : cx.number(eps);
        if (written.known()) {
            o.epsilon = written;
        } else if (!null(eps) && cx.ev.eval(eps).kind != Val::Kind::None) {
            o.epsilon = written; // written but not resolved: unknown, never the default
        } else if (fallback) {
            o.epsilon = default_value(*fallback, o.call, "framework default epsilon");
        }
        return;
    }
}

// A log function of the frameworks: tf.log, tf.math.log, torch.log, K.log; `p.log()` on a tensor.
bool is_log_call(const Context& cx, TSNode call, std::string* clip) {
    if (!is(call, "call")) return false;
    std::string written = dotted(cx.src, field(call, "function"));
    std::string q = cx.ev.callee(call);
    if (q == "tensorflow.log" || q == "tensorflow.math.log" || q == "tensorflow.compat.v1.log" ||
        q == "tensorflow.compat.v1.math.log" || q == "torch.log" || q == "keras.backend.log" ||
        q == "tensorflow.keras.backend.log") {
        // The clip in the script's spelling of the same module: tf.clip_by_value, K.clip, torch.clamp.
        std::string prefix = written.substr(0, written.rfind('.'));
        if (q.rfind("torch.", 0) == 0)
            *clip = prefix + ".clamp";
        else if (q.find("keras.backend.") != std::string::npos)
            *clip = prefix + ".clip";
        else
            *clip = written.substr(0, written.find('.')) + ".clip_by_value";
        return true;
    }
    // A tensor's own log method (`p.log()`): its receiver is not an imported module.
    TSNode recv = receiver(call);
    if (callee_name(cx.src, call) == "log" && !null(recv) && call_args(cx.src, call).positional.empty()) {
        std::string r = qualified(cx, recv);
        if (r.find('.') == std::string::npos && cx.scope.qualify(r) == r && r != "math" && r != "np") {
            clip->clear();
            return true;
        }
    }
    return false;
}

// Whether `n` keeps the log's argument away from 0: `p + 1e-9`, tf.clip_by_value, torch.clamp, tf.maximum.
bool guarded(const Context& cx, TSNode n, int depth = 0) {
    if (depth > 8) return false;
    n = unwrap(n);
    if (is(n, "identifier")) {
        TSNode v = through_names(cx, n);
        return !ts_node_eq(v, n) && guarded(cx, v, depth + 1);
    }
    auto positive = [&](TSNode x) {
        Val v = cx.ev.eval(x);
        return v.is_number() && v.number() > 0;
    };
    if (is(n, "binary_operator")) {
        if (text(cx.src, field(n, "operator")) != "+") return false;
        return positive(field(n, "left")) || positive(field(n, "right"));
    }
    if (!is(n, "call")) return false;
    std::string name = callee_name(cx.src, n);
    if (name == "clip_by_value" || name == "clip" || name == "clamp" || name == "clamp_min" ||
        name == "clamp_" || name == "maximum")
        return true;
    if (name == "add") {
        for (TSNode x : call_args(cx.src, n).positional)
            if (positive(x)) return true;
    }
    return false;
}

// "softmax" or "sigmoid" when `n` is visibly the output of one (through names), else "".
std::string applied_activation(const Context& cx, TSNode n) {
    n = through_names(cx, n);
    if (!is(n, "call")) return "";
    std::string name = callee_name(cx.src, n);
    if (name == "softmax" || name == "Softmax") return "softmax";
    if (name == "sigmoid" || name == "Sigmoid") return "sigmoid";
    return "";
}

// The first log call inside `n` (names inside it followed a few levels, so `loss = -(y * logp).sum()` with
// `logp = torch.log(p)` is seen).
TSNode find_log(const Context& cx, TSNode n, std::string* clip, int depth = 0) {
    if (null(n) || depth > 24) return TSNode{};
    if (is_log_call(cx, n, clip)) return n;
    if (is(n, "identifier") && depth > 0) {
        TSNode v = through_names(cx, n);
        if (!ts_node_eq(v, n) && depth < 16) return find_log(cx, v, clip, depth + 4);
        return TSNode{};
    }
    for (TSNode k : named_children(n)) {
        TSNode found = find_log(cx, k, clip, depth + 1);
        if (!null(found)) return found;
    }
    return TSNode{};
}

// PyTorch: a log in the expression that is back-propagated (`loss = -(y * torch.log(p)).sum()`).
void read_torch_log(Context& cx) {
    const auto& backward = cx.prog.loop.backward;
    if (!backward || cx.prog.loss.unguarded_log) return;
    for (const CallSite& c : cx.scope.calls()) {
        if (span(c.call) != *backward || c.method != "backward") continue;
        TSNode loss = through_names(cx, receiver(c.call));
        std::string clip;
        TSNode log = find_log(cx, loss, &clip);
        if (!null(log)) cx.prog.loss.unguarded_log = unguarded_log(cx, log);
        return;
    }
}

// Keras: a loss function of the script passed to compile (`def my_loss(y_true, y_pred): return
// -K.sum(y_true * K.log(y_pred))`).
void read_keras_log(Context& cx) {
    if (cx.prog.compile_call.empty() || cx.prog.loss.unguarded_log) return;
    for (const CallSite& c : cx.scope.calls()) {
        if (span(c.call) != cx.prog.compile_call) continue;
        TSNode loss = unwrap(arg(call_args(cx.src, c.call), 1, {"loss"}));
        if (!is(loss, "identifier")) return;
        TSNode def = cx.scope.definition(text(cx.src, loss));
        if (!is(def, "function_definition")) return;
        for (TSNode ret : return_statements(field(def, "body"))) {
            auto value = named_children(ret);
            if (value.empty()) continue;
            std::string clip;
            TSNode log = find_log(cx, through_names(cx, value[0]), &clip);
            if (null(log)) continue;
            cx.prog.loss.unguarded_log = unguarded_log(cx, log);
            return;
        }
        return;
    }
}

} // namespace

std::optional<Loss::UnguardedLog> unguarded_log(const Context& cx, TSNode log_call) {
    std::string clip;
    if (!is_log_call(cx, log_call, &clip)) return std::nullopt;
    Args a = call_args(cx.src, log_call);
    TSNode x = a.positional.empty() ? arg(a, -1, {"x", "input"}) : a.positional[0];
    if (null(x)) x = receiver(log_call); // p.log()
    if (null(x) || guarded(cx, x)) return std::nullopt;
    Loss::UnguardedLog out;
    out.call = span(log_call);
    out.argument = span(unwrap(x));
    out.clip = clip;
    out.applied = applied_activation(cx, x);
    return out;
}

// A Keras Normalization layer (adapted to the data) standardizes the inputs inside the model, which the
// layer list does not show: it is not a layer the parser rebuilds.
void read_normalization_layer(Context& cx) {
    Data& d = cx.prog.data;
    if (!d.scaled.known() || *d.scaled) return;
    for (const CallSite& c : cx.scope.calls()) {
        std::string q = cx.ev.callee(c.call);
        if (last_part(q) != "Normalization" || (!starts_with(q, "keras.") && !starts_with(q, "tensorflow.")))
            continue;
        d.scaled.value = true;
        d.scaled.kind = OriginKind::Literal;
        d.scaled.origin = span(cx.scope.statement_of(c.call));
        d.scaled.note = "a Normalization layer standardizes the inputs inside the model";
        return;
    }
}

void read_numerics(Context& cx) {
    read_normalization_layer(cx);
    read_float16(cx);
    read_epsilon(cx);
    if (cx.prog.framework == Framework::PyTorch) read_torch_log(cx);
    if (cx.prog.framework == Framework::Keras || cx.prog.framework == Framework::TfKeras) read_keras_log(cx);
    read_logit_thresholds(cx);
}

} // namespace faultline
