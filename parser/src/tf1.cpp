// TensorFlow 1 graph code: the network is read backwards from the loss that `Optimizer.minimize` trains,
// through tf.matmul/tf.nn/tf.layers ops and the script's own helper functions, down to the input placeholder.
#include "defaults.h"
#include "extract.h"
#include "names.h"

#include <algorithm>
#include <memory>
#include <unordered_map>

namespace faultline {

using namespace syntax;

namespace {

// A call of one of the script's functions being followed: its parameters stand for the caller's arguments.
struct Frame {
    std::unordered_map<std::string, std::pair<TSNode, std::shared_ptr<const Frame>>> params;
    Evaluator::Overrides values; // the same parameters as values, for constant evaluation
    std::shared_ptr<const Frame> caller;
};
using FramePtr = std::shared_ptr<const Frame>;

// A node of the graph in the frame that gives its names their meaning.
struct Ref {
    TSNode node{};
    FramePtr frame;
};

class Tf1Reader {
public:
    explicit Tf1Reader(Context& cx) : cx_(cx) {}
    void run();

private:
    // Graph walking.
    Ref resolve(Ref r) const; // through names and helper-function calls to the defining expression
    Ref
    dict_entry(Ref subscript) const; // `d['key']` of a dict literal: the value written for 'key', else null
    Ref inline_call(Ref call) const; // a helper function's return expression in a new frame
    int walk(Ref r, int depth); // appends layers for the tensor `r` in forward order; the layer it produced
    int dense(Ref matmul, Ref bias, TSNode whole, int depth);
    int plus(Ref left, Ref right, TSNode whole, int depth);     // `a + b`, tf.add, tf.nn.bias_add
    int scale(Ref x, Ref w, Ref bias, TSNode whole, int depth); // `x * W` with a scalar weight variable
    // `outputs[-1]` of tf.nn.static_rnn / dynamic_rnn (and the bidirectional ones): the recurrent layer.
    int rnn_output(Ref subscript, int depth);
    int conv(Ref call, Ref bias, TSNode whole, int depth);
    void activate(int layer, const std::string& act, TSNode fn, TSNode whole, const FramePtr& frame);
    // Variables: their shape and initializer.
    struct Var {
        std::vector<int64_t> shape;
        std::vector<Val> dims; // the shape's values, with where each was written
        std::string init;
        std::map<std::string, Value<double>> params;
        TSNode init_node{};
        bool found = false;
    };
    Var variable(Ref r) const;
    // The kernel initializer from the weight variable, the bias initializer from the bias variable.
    void initializers(Layer& l, const Var& w, Ref bias) const;
    // Loss.
    Ref read_loss(Ref r, int depth);
    void read_optimizer(TSNode ctor, TSNode minimize);
    void read_loop(TSNode train_op);
    void read_data();

    Val eval(Ref r) const;
    std::string qual(TSNode call) const { return cx_.ev.callee(call); }

    Context& cx_;
    // Where the layers being read are written, for the user: the outermost helper call, or the op itself.
    Span site(TSNode whole, const FramePtr& frame) const {
        return sites_.empty() || !frame ? span(whole) : span(sites_.back());
    }
    int walk_helper(Ref call, Ref inner, int depth);

    TSNode placeholder_{};
    bool feature_input_ = false; // the input is an entry of a model_fn's feature dict, not a placeholder
    TSNode target_{};            // what a regression loss compares the network's output with
    std::vector<TSNode> sites_;  // helper calls made from module-level code, innermost last
    std::vector<int64_t> input_reshape_;
};

Val Tf1Reader::eval(Ref r) const {
    auto saved = cx_.ev.overrides();
    cx_.ev.set_overrides(r.frame ? r.frame->values : Evaluator::Overrides{});
    Val v = cx_.ev.eval(r.node);
    cx_.ev.set_overrides(std::move(saved));
    return v;
}

Ref Tf1Reader::inline_call(Ref call) const {
    TSNode def = cx_.scope.definition(dotted(cx_.src, field(call.node, "function")));
    if (!is(def, "function_definition")) return {};
    std::vector<TSNode> returns = return_statements(field(def, "body"));
    if (returns.empty() || named_children(returns.back()).empty()) return {};
    auto frame = std::make_shared<Frame>();
    frame->caller = call.frame;
    Args args = call_args(cx_.src, call.node);
    int position = 0;
    for (TSNode p : named_children(field(def, "parameters"))) {
        TSNode name = is(p, "identifier") ? p : field(p, "name");
        if (!is(name, "identifier")) {
            ++position;
            continue;
        }
        std::string pname(text(cx_.src, name));
        TSNode given = arg(args, position++, {pname});
        if (null(given)) continue;
        frame->params[pname] = {given, call.frame};
        if (const auto* list = cx_.scope.bindings(pname))
            for (const Binding& b : *list)
                if (b.kind == Binding::Kind::Param && ts_node_eq(b.func, def))
                    frame->values[&b] = eval({given, call.frame});
    }
    return {named_children(returns.back())[0], frame};
}

Ref Tf1Reader::dict_entry(Ref r) const {
    Ref dict = resolve({field(r.node, "value"), r.frame});
    if (!is(dict.node, "dictionary")) return {};
    Val key = eval({field(r.node, "subscript"), r.frame});
    if (key.kind != Val::Kind::Str) return {};
    for (TSNode pair : named_children(dict.node)) {
        if (!is(pair, "pair")) continue;
        Val k = eval({field(pair, "key"), dict.frame});
        if (k.kind == Val::Kind::Str && k.s == key.s) return {field(pair, "value"), dict.frame};
    }
    return {};
}

Ref Tf1Reader::resolve(Ref r) const {
    for (int hops = 0; hops < 64 && !null(r.node); ++hops) {
        r.node = unwrap(r.node);
        if (is(r.node, "subscript")) {
            // `weights['h1']` of a dict literal of variables: the entry's value.
            Ref entry = dict_entry(r);
            if (null(entry.node)) return r;
            r = entry;
            continue;
        }
        if (!is(r.node, "identifier")) return r;
        std::string name(text(cx_.src, r.node));
        TSNode func = cx_.scope.enclosing(r.node, "function_definition");
        const Binding* b = cx_.scope.lookup(r.node);
        // A parameter stands for the caller's argument, unless the helper reassigned it before this use
        // (`x = tf.nn.conv2d(x, W)` ... `return tf.nn.relu(x)`).
        bool local = b && !null(b->func) && ts_node_eq(b->func, func) && b->kind != Binding::Kind::Param;
        if (r.frame && !null(func) && !local) {
            auto it = r.frame->params.find(name);
            if (it != r.frame->params.end()) {
                r = {it->second.first, it->second.second};
                continue;
            }
        }
        if (!b || b->kind != Binding::Kind::Assign || !b->path.empty()) return r;
        // A module-level name seen from inside a helper function leaves the helper's frame.
        if (null(b->func)) r.frame = nullptr;
        r.node = b->value;
    }
    return r;
}

bool is_tf(const std::string& q, std::string_view name) {
    return q == cat({"tensorflow.", name}) || q == cat({"tensorflow.compat.v1.", name});
}

Tf1Reader::Var Tf1Reader::variable(Ref r) const {
    Var v;
    for (int hops = 0; hops < 16; ++hops) {
        r = resolve(r);
        if (!is(r.node, "call")) return v;
        std::string q = qual(r.node);
        if (is_tf(q, "Variable") || is_tf(q, "get_variable")) break;
        Ref inner = inline_call(r);
        if (null(inner.node)) return v;
        r = inner;
    }
    if (!is(r.node, "call")) return v;
    Args a = call_args(cx_.src, r.node);
    std::string q = qual(r.node);
    v.found = true;
    Ref init{};
    if (is_tf(q, "Variable")) {
        init = resolve({arg(a, 0, {"initial_value"}), r.frame});
    } else {
        // tf.get_variable(name, shape, initializer=...): the default initializer is Glorot uniform.
        Val shape = eval({arg(a, 1, {"shape"}), r.frame});
        if (shape.kind == Val::Kind::Seq) {
            v.dims = shape.items;
            for (const Val& d : shape.items)
                v.shape.push_back(d.kind == Val::Kind::Int ? d.i : -1);
        }
        TSNode init_arg = arg(a, 2, {"initializer"});
        if (null(init_arg)) {
            v.init = "glorot_uniform";
            return v;
        }
        init = resolve({init_arg, r.frame});
    }
    if (!is(init.node, "call")) return v;
    v.init_node = init.node;
    std::string name(last_part(qual(init.node)));
    Args ia = call_args(cx_.src, init.node);
    auto put = [&](const char* key, TSNode n) {
        if (null(n)) return;
        Val x = eval({n, init.frame});
        if (x.is_number()) v.params[key] = from_val<double>(x, x.number());
    };
    if (name == "truncated_normal" || name == "random_normal") {
        v.init = name;
        put("init_mean", arg(ia, 1, {"mean"}));
        put("init_stddev", arg(ia, 2, {"stddev"}));
        if (v.params.find("init_stddev") == v.params.end())
            v.params["init_stddev"] =
                default_value(1.0, span(init.node), "tf.random_normal default stddev 1");
    } else if (name == "random_uniform") {
        v.init = "random_uniform";
        put("init_minval", arg(ia, 1, {"minval"}));
        put("init_maxval", arg(ia, 2, {"maxval"}));
    } else if (name == "zeros" || name == "ones") {
        v.init = name;
    } else if (name == "constant") {
        v.init = "constant";
        put("init_value", arg(ia, 0, {"value"}));
    } else if (auto canonical = initializer_name(snake_case(name))) {
        v.init = *canonical;
    } else if (name == "xavier_initializer") {
        v.init = "glorot_uniform";
    }
    TSNode shape_node = name == "constant" ? arg(ia, 2, {"shape"}) : arg(ia, 0, {"shape"});
    if (v.shape.empty()) {
        Val shape = eval({shape_node, init.frame});
        if (shape.kind == Val::Kind::Seq) {
            v.dims = shape.items;
            for (const Val& d : shape.items)
                v.shape.push_back(d.kind == Val::Kind::Int ? d.i : -1);
        }
    }
    return v;
}

void Tf1Reader::activate(int layer, const std::string& act, TSNode fn, TSNode whole, const FramePtr& frame) {
    auto& layers = cx_.prog.layers;
    bool fold = layer >= 0 && layer == static_cast<int>(layers.size()) - 1 &&
                (layers[layer].kind == "Dense" || layers[layer].kind == "Conv2D") &&
                layers[layer].activation.kind != OriginKind::Literal;
    Value<std::string> v;
    v.value = act;
    v.kind = OriginKind::Literal;
    v.origin = span(fn);
    v.literal = span(fn);
    if (fold) {
        layers[layer].activation = v;
        layers[layer].span = site(whole, frame);
        return;
    }
    Layer a;
    a.kind = "Activation";
    a.span = site(whole, frame);
    a.activation = v;
    layers.push_back(std::move(a));
}

void Tf1Reader::initializers(Layer& l, const Var& w, Ref bias) const {
    if (!w.init.empty()) {
        l.kernel_initializer.value = w.init;
        l.kernel_initializer.kind = OriginKind::Literal;
        l.kernel_initializer.origin = span(w.init_node);
        l.kernel_initializer.literal = span(w.init_node);
        for (auto& [k, v] : w.params)
            l.params[k] = v;
    }
    if (null(bias.node)) return;
    Var b = variable(bias);
    if (b.init.empty()) return;
    l.bias_initializer.value = b.init;
    l.bias_initializer.kind = OriginKind::Literal;
    l.bias_initializer.origin = span(b.init_node);
    l.bias_initializer.literal = span(b.init_node);
    for (auto& [k, v] : b.params)
        l.params["bias_" + k] = v;
}

int Tf1Reader::dense(Ref matmul, Ref bias, TSNode whole, int depth) {
    Args a = call_args(cx_.src, matmul.node);
    walk({arg(a, 0, {"a"}), matmul.frame}, depth + 1);
    Var w = variable({arg(a, 1, {"b"}), matmul.frame});
    Layer l;
    l.kind = "Dense";
    l.span = site(whole, matmul.frame);
    if (w.shape.size() == 2 && w.shape[1] > 0) {
        // The weight matrix is [in, out]: its second dimension is the layer's width.
        l.units = from_val<int64_t>(w.dims[1], w.shape[1]);
        if (w.shape[0] > 0)
            l.params["in_features"] = from_val<double>(w.dims[0], static_cast<double>(w.shape[0]));
    } else {
        l.units = unknown_value<int64_t>(span(matmul.node), "shape of the weight matrix not known");
        cx_.note(matmul.node, "the weight matrix of this tf.matmul cannot be followed", true);
    }
    initializers(l, w, bias);
    l.activation = default_value<std::string>("linear", span(whole), "no activation applied");
    cx_.prog.layers.push_back(std::move(l));
    return static_cast<int>(cx_.prog.layers.size()) - 1;
}

int Tf1Reader::conv(Ref call, Ref bias, TSNode whole, int depth) {
    Args a = call_args(cx_.src, call.node);
    walk({arg(a, 0, {"input"}), call.frame}, depth + 1);
    Var w = variable({arg(a, 1, {"filter", "filters"}), call.frame});
    Layer l;
    l.kind = "Conv2D";
    l.span = site(whole, call.frame);
    if (w.shape.size() == 4 && w.shape[3] > 0) {
        // The filter is [height, width, in_channels, out_channels].
        auto dim = [&](size_t k) { return from_val<double>(w.dims[k], static_cast<double>(w.shape[k])); };
        l.units = from_val<int64_t>(w.dims[3], w.shape[3]);
        l.params["kernel_size"] = dim(0);
        l.params["kernel_size2"] = dim(1);
        l.params["in_channels"] = dim(2);
    } else {
        l.units = unknown_value<int64_t>(span(call.node), "shape of the filter not known");
        cx_.note(call.node, "the filter of this tf.nn.conv2d cannot be followed", true);
    }
    Val strides = eval({arg(a, 2, {"strides"}), call.frame});
    if (strides.kind == Val::Kind::Seq && strides.items.size() == 4 && strides.items[1].is_number()) {
        l.params["strides"] = from_val<double>(strides.items[1], strides.items[1].number());
        l.params["strides2"] = from_val<double>(strides.items[2], strides.items[2].number());
    }
    Val padding = eval({arg(a, 3, {"padding"}), call.frame});
    if (padding.kind == Val::Kind::Str) l.padding = padding.s == "SAME" ? "same" : "valid";
    initializers(l, w, bias);
    l.activation = default_value<std::string>("linear", span(whole), "no activation applied");
    cx_.prog.layers.push_back(std::move(l));
    return static_cast<int>(cx_.prog.layers.size()) - 1;
}

int Tf1Reader::plus(Ref left, Ref right, TSNode whole, int depth) {
    Ref l = resolve(left);
    Ref b = resolve(right);
    if (is(l.node, "call")) {
        std::string q = qual(l.node);
        if (is_tf(q, "matmul")) return dense(l, b, whole, depth);
        if (is_tf(q, "nn.conv2d")) return conv(l, b, whole, depth);
        if (is_tf(q, "multiply") || is_tf(q, "math.multiply") || is_tf(q, "mul")) {
            Args a = call_args(cx_.src, l.node);
            return scale({arg(a, 0, {"x"}), l.frame}, {arg(a, 1, {"y"}), l.frame}, b, whole, depth);
        }
        // A helper returning tf.nn.conv2d or tf.matmul (`conv2d(x, W) + b`).
        Ref inner = inline_call(l);
        if (!null(inner.node)) {
            Ref res = resolve(inner);
            if (is(res.node, "call") && is_tf(qual(res.node), "nn.conv2d")) return conv(res, b, whole, depth);
            if (is(res.node, "call") && is_tf(qual(res.node), "matmul")) return dense(res, b, whole, depth);
        }
    }
    if (is(l.node, "binary_operator") && text(cx_.src, field(l.node, "operator")) == "*")
        return scale({field(l.node, "left"), l.frame}, {field(l.node, "right"), l.frame}, b, whole, depth);
    return walk(l, depth + 1);
}

int Tf1Reader::scale(Ref x, Ref w, Ref bias, TSNode whole, int depth) {
    // `X * W + b` with a scalar weight variable (linear regression): one unit on one feature.
    Var v = variable(w);
    if (!v.found) {
        std::swap(x, w);
        v = variable(w);
    }
    if (!v.found || !v.shape.empty()) return walk(x, depth + 1);
    walk(x, depth + 1);
    Layer l;
    l.kind = "Dense";
    l.span = site(whole, x.frame);
    l.units = default_value<int64_t>(1, span(whole), "a scalar weight: one output per input");
    l.units.kind = OriginKind::Derived;
    l.params["in_features"] = default_value(1.0, span(whole), "a scalar weight: one input feature");
    l.params["in_features"].kind = OriginKind::Derived;
    initializers(l, v, bias);
    l.activation = default_value<std::string>("linear", span(whole), "no activation applied");
    cx_.prog.layers.push_back(std::move(l));
    return static_cast<int>(cx_.prog.layers.size()) - 1;
}

int Tf1Reader::rnn_output(Ref r, int depth) {
    TSNode sub = r.node;
    Ref outputs = resolve({field(sub, "value"), r.frame});
    TSNode rnn = outputs.node;
    if (is(rnn, "identifier")) {
        // `outputs, states = rnn.static_rnn(cell, x)`: the first item of the call's result.
        const Binding* b = cx_.scope.lookup(rnn);
        if (b && b->kind == Binding::Kind::Assign && !b->path.empty() && b->path.front() == 0) {
            rnn = b->value;
            if (null(b->func)) outputs.frame = nullptr;
        }
    }
    static const char* const kRnnOps[] = {"static_rnn", "dynamic_rnn", "static_bidirectional_rnn",
                                          "bidirectional_dynamic_rnn"};
    std::string op = is(rnn, "call") ? std::string(last_part(qual(rnn))) : std::string();
    if (is(rnn, "identifier")) {
        // `features['images']` of a tf.estimator model_fn's feature dict: the network's input.
        const Binding* b = cx_.scope.lookup(rnn);
        if (b && b->kind == Binding::Kind::Param) {
            cx_.assume(sub, cat({quoted(cx_.src, sub), " is the network's input"}));
            feature_input_ = true;
            return -1;
        }
    }
    if (std::find(std::begin(kRnnOps), std::end(kRnnOps), op) == std::end(kRnnOps)) {
        cx_.note(sub, cat({"the network goes through ", quoted(cx_.src, sub), ", which is not followed"}),
                 true);
        return -1;
    }
    bool bidirectional = op.find("bidirectional") != std::string::npos;
    Args a = call_args(cx_.src, rnn);
    walk({arg(a, bidirectional ? 2 : 1, {"inputs"}), outputs.frame}, depth + 1);
    Ref cell = resolve({arg(a, 0, {"cell", "cell_fw"}), outputs.frame});
    std::string cell_class = is(cell.node, "call") ? std::string(last_part(qual(cell.node))) : std::string();
    Layer rec;
    rec.kind = cell_class.find("GRU") != std::string::npos    ? "GRU"
               : cell_class.find("LSTM") != std::string::npos ? "LSTM"
                                                              : "SimpleRNN";
    rec.span = site(sub, r.frame);
    if (is(cell.node, "call")) {
        Val units = eval({arg(call_args(cx_.src, cell.node), 0, {"num_units"}), cell.frame});
        if (units.kind == Val::Kind::Int)
            rec.units = from_val<int64_t>(units, units.i);
        else
            rec.units = unknown_value<int64_t>(span(cell.node), "the cell's number of units is not known");
    } else {
        rec.units = unknown_value<int64_t>(span(sub), "the recurrent cell cannot be followed");
        cx_.assume(sub, cat({"an LSTM cell for ", quoted(cx_.src, field(rnn, "function"))}));
        rec.kind = "LSTM";
    }
    rec.activation = default_value<std::string>("tanh", span(cell.node), "TF1 RNN cells use tanh");
    rec.kernel_initializer = default_value<std::string>("glorot_uniform", span(cell.node));
    rec.bias_initializer = default_value<std::string>("zeros", span(cell.node));
    rec.params["return_sequences"] = default_value(0.0, span(sub), "the last step of the outputs");
    // `outputs[-1]` of the static list, `outputs[:, -1]` / `outputs[:, -1, :]` of a dynamic one: the last
    // step. Any other index is read as the last step too, which is what such scripts take.
    std::string all(text(cx_.src, sub));
    bool last = all.find("[-1]") != std::string::npos || all.find("[:, -1") != std::string::npos;
    if (!last) cx_.assume(sub, cat({quoted(cx_.src, sub), " takes the last step of the RNN output"}));
    Layer out = rec;
    if (bidirectional) {
        out.kind = "Bidirectional";
        out.inner.push_back(rec);
    }
    cx_.prog.layers.push_back(std::move(out));
    return static_cast<int>(cx_.prog.layers.size()) - 1;
}

int Tf1Reader::walk_helper(Ref call, Ref inner, int depth) {
    bool from_module = !call.frame;
    if (from_module) sites_.push_back(call.node);
    int produced = walk(inner, depth + 1);
    if (from_module) sites_.pop_back();
    return produced;
}

int Tf1Reader::walk(Ref r, int depth) {
    if (depth > 200) return -1;
    TSNode before = r.node;
    r = resolve(r);
    TSNode n = r.node;
    if (null(n)) {
        cx_.note(before, cat({"cannot follow the tensor ", quoted(cx_.src, before)}), true);
        return -1;
    }
    if (is(n, "binary_operator")) {
        std::string_view op = text(cx_.src, field(n, "operator"));
        Ref left{field(n, "left"), r.frame};
        Ref right{field(n, "right"), r.frame};
        if (op == "+") return plus(left, right, n, depth);
        if (op == "*") return scale(left, right, {}, n, depth);
        return walk(left, depth + 1);
    }
    if (is(n, "subscript")) return rnn_output(r, depth);
    if (!is(n, "call")) {
        cx_.note(n, cat({"the network goes through ", quoted(cx_.src, n), ", which is not followed"}), true);
        return -1;
    }
    std::string q = qual(n);
    std::string_view name = last_part(q);
    Args a = call_args(cx_.src, n);
    auto first = [&] {
        return Ref{arg(a, 0, {"x", "inputs", "input", "features", "logits", "tensor"}), r.frame};
    };

    if (is_tf(q, "placeholder") || is_tf(q, "compat.v1.placeholder")) {
        placeholder_ = n;
        return -1;
    }
    if (q.rfind("tensorflow.", 0) == 0 && q.find(".nn.") != std::string::npos) {
        if (name == "conv2d") return conv(r, {}, n, depth);
        if (name == "max_pool" || name == "avg_pool") {
            walk(first(), depth + 1);
            Layer l;
            l.kind = name == "max_pool" ? "MaxPooling2D" : "AveragePooling2D";
            l.span = site(n, r.frame);
            Val k = eval({arg(a, 1, {"ksize"}), r.frame});
            if (k.kind == Val::Kind::Seq && k.items.size() == 4) {
                l.params["pool_size"] = from_val<double>(k.items[1], k.items[1].number());
                l.params["pool_size2"] = from_val<double>(k.items[2], k.items[2].number());
            }
            Val s = eval({arg(a, 2, {"strides"}), r.frame});
            if (s.kind == Val::Kind::Seq && s.items.size() == 4) {
                l.params["strides"] = from_val<double>(s.items[1], s.items[1].number());
                l.params["strides2"] = from_val<double>(s.items[2], s.items[2].number());
            }
            Val p = eval({arg(a, 3, {"padding"}), r.frame});
            if (p.kind == Val::Kind::Str) l.padding = p.s == "SAME" ? "same" : "valid";
            cx_.prog.layers.push_back(std::move(l));
            return static_cast<int>(cx_.prog.layers.size()) - 1;
        }
        if (name == "dropout") {
            walk(first(), depth + 1);
            Layer l;
            l.kind = "Dropout";
            l.span = site(n, r.frame);
            TSNode rate = arg(a, -1, {"rate"});
            TSNode keep = arg(a, 1, {"keep_prob"});
            if (!null(rate)) {
                l.params["rate"] = cx_.number(rate);
            } else {
                Val kp = eval({keep, r.frame});
                if (kp.is_number()) {
                    Value<double> v = from_val<double>(kp, 1.0 - kp.number());
                    v.kind = OriginKind::Derived;
                    v.note = "1 - keep_prob";
                    l.params["rate"] = v;
                } else {
                    l.params["rate"] = unknown_value<double>(span(keep), "keep_prob is fed at run time");
                }
            }
            cx_.prog.layers.push_back(std::move(l));
            return static_cast<int>(cx_.prog.layers.size()) - 1;
        }
        if (auto act = activation_name(name)) {
            int below = walk(first(), depth + 1);
            activate(below, *act, field(n, "function"), n, r.frame);
            return static_cast<int>(cx_.prog.layers.size()) - 1;
        }
    }
    if (is_tf(q, "matmul")) return dense(r, {}, n, depth);
    if (is_tf(q, "add") || is_tf(q, "math.add") || is_tf(q, "nn.bias_add"))
        return plus({arg(a, 0, {"x", "value"}), r.frame}, {arg(a, 1, {"y", "bias"}), r.frame}, n, depth);
    if (is_tf(q, "multiply") || is_tf(q, "math.multiply") || is_tf(q, "mul"))
        return scale({arg(a, 0, {"x"}), r.frame}, {arg(a, 1, {"y"}), r.frame}, {}, n, depth);
    if (is_tf(q, "unstack") || is_tf(q, "transpose") || is_tf(q, "identity")) {
        // Layout ops between the input and an RNN (`tf.unstack(x, timesteps, 1)`): the RNN reads the
        // sequence they give, so they add no layer.
        return walk(first(), depth + 1);
    }
    if (is_tf(q, "reshape")) {
        size_t before_count = cx_.prog.layers.size();
        walk(first(), depth + 1);
        Val shape = eval({arg(a, 1, {"shape"}), r.frame});
        std::vector<int64_t> dims;
        if (shape.kind == Val::Kind::Seq)
            for (const Val& d : shape.items)
                dims.push_back(d.kind == Val::Kind::Int ? d.i : -1);
        if (cx_.prog.layers.size() == before_count && cx_.prog.layers.empty()) {
            // Reshaping the input placeholder: the network sees this shape.
            if (!dims.empty()) input_reshape_.assign(dims.begin() + 1, dims.end());
            return -1;
        }
        Layer l;
        l.kind = dims.size() == 2 ? "Flatten" : "Reshape";
        l.span = site(n, r.frame);
        if (dims.size() > 2) l.target_shape.assign(dims.begin() + 1, dims.end());
        cx_.prog.layers.push_back(std::move(l));
        return static_cast<int>(cx_.prog.layers.size()) - 1;
    }
    if (q.find("tensorflow.layers.") == 0 || q.find("tensorflow.contrib.layers.") == 0 ||
        q.find("tensorflow.contrib.slim.") == 0 || q.find("slim.") == 0) {
        walk(first(), depth + 1);
        Layer l;
        l.span = site(n, r.frame);
        bool contrib = q.find("contrib") != std::string::npos || q.find("slim") == 0;
        // The activation's position: dense(inputs, units, activation) and fully_connected(inputs,
        // num_outputs, activation_fn); conv2d(inputs, filters, kernel_size, strides, padding, data_format,
        // dilation_rate / rate, activation) in tf.layers, contrib and slim alike.
        const int act_position = name == "dense" || name == "fully_connected" ? 2 : name == "conv2d" ? 7 : -1;
        TSNode act = arg(a, act_position, {"activation", "activation_fn"});
        if (name == "dense" || name == "fully_connected") {
            l.kind = "Dense";
            l.units = cx_.integer(arg(a, 1, {"units", "num_outputs"}));
        } else if (name == "conv2d") {
            l.kind = "Conv2D";
            l.units = cx_.integer(arg(a, 1, {"filters", "num_outputs"}));
            Val ks = eval({arg(a, 2, {"kernel_size"}), r.frame});
            if (ks.kind == Val::Kind::Seq && ks.items.size() == 2) {
                l.params["kernel_size"] = from_val<double>(ks.items[0], ks.items[0].number());
                l.params["kernel_size2"] = from_val<double>(ks.items[1], ks.items[1].number());
            } else if (ks.is_number()) {
                l.params["kernel_size"] = from_val<double>(ks, ks.number());
                l.params["kernel_size2"] = l.params["kernel_size"];
            }
        } else if (name == "max_pooling2d" || name == "max_pool2d") {
            l.kind = "MaxPooling2D";
        } else if (name == "flatten") {
            l.kind = "Flatten";
        } else if (name == "dropout") {
            l.kind = "Dropout";
            l.params["rate"] = cx_.number(arg(a, 1, {"rate"}));
        } else if (name == "batch_normalization" || name == "batch_norm") {
            l.kind = "BatchNormalization";
        } else {
            cx_.note(n, cat({"layer `", name, "` is not supported"}), true);
            return -1;
        }
        if (l.kind == "Dense" || l.kind == "Conv2D") {
            if (null(act)) {
                // tf.layers default to no activation; tf.contrib.layers and slim default to ReLU.
                l.activation = default_value<std::string>(contrib ? "relu" : "linear", span(n));
            } else {
                Val av = eval({act, r.frame});
                std::string an = av.kind == Val::Kind::None
                                     ? "linear"
                                     : std::string(last_part(cx_.scope.qualify(dotted(cx_.src, act))));
                auto canonical = activation_name(an);
                if (canonical) {
                    l.activation.value = *canonical;
                    l.activation.kind = OriginKind::Literal;
                    l.activation.origin = span(act);
                    l.activation.literal = span(act);
                } else {
                    l.activation = unknown_value<std::string>(span(act), "activation not known");
                }
            }
            l.kernel_initializer = default_value<std::string>("glorot_uniform", span(n));
            l.bias_initializer = default_value<std::string>("zeros", span(n));
        }
        cx_.prog.layers.push_back(std::move(l));
        return static_cast<int>(cx_.prog.layers.size()) - 1;
    }
    // A helper's parameter called as a function (`activation(act)` with `activation=tf.nn.relu` or None).
    if (TSNode fn = field(n, "function"); is(fn, "identifier")) {
        const Binding* b = cx_.scope.lookup(fn);
        if (b && b->kind == Binding::Kind::Param) {
            Ref given{b->value, nullptr};
            if (r.frame) {
                auto it = r.frame->params.find(std::string(text(cx_.src, fn)));
                if (it != r.frame->params.end()) given = {it->second.first, it->second.second};
            }
            Val v = eval(given);
            if (!null(given.node) && v.kind == Val::Kind::None) return walk(first(), depth + 1);
            std::string named = null(given.node) ? "" : cx_.scope.qualify(dotted(cx_.src, given.node));
            if (auto act = activation_name(last_part(named))) {
                int below = walk(first(), depth + 1);
                activate(below, *act, given.node, n, r.frame);
                return static_cast<int>(cx_.prog.layers.size()) - 1;
            }
        }
    }
    // A helper function of the script: follow what it returns.
    Ref inner = inline_call(r);
    if (!null(inner.node)) return walk_helper(r, inner, depth);
    cx_.note(n, cat({"the network goes through ", quoted(cx_.src, n), ", which is not followed"}), true);
    return -1;
}

Ref Tf1Reader::read_loss(Ref r, int depth) {
    Loss& loss = cx_.prog.loss;
    if (depth > 32) return {};
    r = resolve(r);
    TSNode n = r.node;
    auto set = [&](const char* name, TSNode call, bool logits) {
        loss.name.value = name;
        loss.name.kind = OriginKind::Literal;
        loss.name.origin = span(is(call, "call") ? field(call, "function") : call);
        loss.name.literal = loss.name.origin;
        loss.call = span(call);
        loss.from_logits = logits;
    };
    auto is_label = [&](Ref x) {
        Ref res = resolve(x);
        return is(res.node, "call") && (is_tf(qual(res.node), "placeholder"));
    };
    if (is(n, "unary_operator") && text(cx_.src, field(n, "operator")) == "-") {
        // -tf.reduce_sum(y_ * tf.log(y)): categorical cross-entropy on probabilities, summed.
        Ref inner = resolve({field(n, "argument"), r.frame});
        if (is(inner.node, "call")) {
            std::string q = qual(inner.node);
            Args a = call_args(cx_.src, inner.node);
            Ref product = resolve({arg(a, 0, {"input_tensor"}), inner.frame});
            if (is_tf(q, "reduce_mean") && is(product.node, "call") &&
                is_tf(qual(product.node), "reduce_sum")) {
                product =
                    resolve({arg(call_args(cx_.src, product.node), 0, {"input_tensor"}), product.frame});
            } else if (is_tf(q, "reduce_sum")) {
                loss.reduction = "sum";
            }
            if (is(product.node, "binary_operator") &&
                text(cx_.src, field(product.node, "operator")) == "*") {
                for (const char* side : {"right", "left"}) {
                    Ref log = resolve({field(product.node, side), product.frame});
                    if (is(log.node, "call") &&
                        (is_tf(qual(log.node), "log") || is_tf(qual(log.node), "math.log"))) {
                        set("categorical_crossentropy", n, false);
                        loss.unguarded_log = unguarded_log(cx_, log.node);
                        Ref p{arg(call_args(cx_.src, log.node), 0, {"x"}), log.frame};
                        // A clipped prediction (`tf.clip_by_value(y_conv, 1e-10, 1.0)`, `tf.maximum(y_conv,
                        // eps)`): the network is its first argument.
                        Ref clipped = resolve(p);
                        if (is(clipped.node, "call") && (is_tf(qual(clipped.node), "clip_by_value") ||
                                                         is_tf(qual(clipped.node), "maximum") ||
                                                         is_tf(qual(clipped.node), "math.maximum")))
                            return {arg(call_args(cx_.src, clipped.node), 0, {"t", "x"}), clipped.frame};
                        return p;
                    }
                }
            }
        }
        return {};
    }
    if (is(n, "binary_operator") && text(cx_.src, field(n, "operator")) == "/") {
        // tf.reduce_sum(...) / (2 * n_samples): a sum divided by a constant is read as the mean.
        Ref found = read_loss({field(n, "left"), r.frame}, depth + 1);
        loss.reduction = "mean";
        return found;
    }
    if (is(n, "binary_operator")) {
        // loss + beta * regularizer: the data term is the left side.
        Ref found = read_loss({field(n, "left"), r.frame}, depth + 1);
        if (!null(found.node)) return found;
        return read_loss({field(n, "right"), r.frame}, depth + 1);
    }
    if (!is(n, "call")) return {};
    std::string q = qual(n);
    std::string_view name = last_part(q);
    Args a = call_args(cx_.src, n);
    auto by = [&](std::initializer_list<std::string_view> names, int pos) {
        return Ref{arg(a, pos, names), r.frame};
    };
    if (is_tf(q, "reduce_mean") || is_tf(q, "reduce_sum")) {
        if (is_tf(q, "reduce_sum")) loss.reduction = "sum";
        Ref inner = resolve(by({"input_tensor"}, 0));
        // tf.pow(d, 2) squares as tf.square(d) does.
        bool pow2 = false;
        if (is(inner.node, "call") &&
            (is_tf(qual(inner.node), "pow") || is_tf(qual(inner.node), "math.pow"))) {
            Val exponent = eval({arg(call_args(cx_.src, inner.node), 1, {"y"}), inner.frame});
            pow2 = exponent.is_number() && exponent.number() == 2.0;
        }
        if (is(inner.node, "call") &&
            (pow2 || is_tf(qual(inner.node), "square") || is_tf(qual(inner.node), "abs"))) {
            bool square = !is_tf(qual(inner.node), "abs");
            Ref diff = resolve({arg(call_args(cx_.src, inner.node), 0, {"x"}), inner.frame});
            set(square ? "mean_squared_error" : "mean_absolute_error", n, false);
            if (is(diff.node, "binary_operator")) {
                Ref left{field(diff.node, "left"), diff.frame};
                Ref right{field(diff.node, "right"), diff.frame};
                bool left_is_label = is_label(left);
                target_ = resolve(left_is_label ? left : right).node;
                return left_is_label ? right : left;
            }
            return {};
        }
        Ref found = read_loss(inner, depth + 1);
        if (!null(found.node)) return found;
        loss.name = unknown_value<std::string>(
            span(n), cat({"the loss ", quoted(cx_.src, n), " is not a known loss"}));
        loss.call = span(n);
        return inner;
    }
    if (name == "softmax_cross_entropy_with_logits" || name == "softmax_cross_entropy_with_logits_v2") {
        set("categorical_crossentropy", n, true);
        return by({"logits"}, 1);
    }
    if (name == "sparse_softmax_cross_entropy_with_logits") {
        set("sparse_categorical_crossentropy", n, true);
        return by({"logits"}, 1);
    }
    if (name == "sigmoid_cross_entropy_with_logits") {
        set("binary_crossentropy", n, true);
        return by({"logits"}, 1);
    }
    if (q.find(".losses.") != std::string::npos) {
        struct L {
            const char* tf;
            const char* canonical;
            bool logits;
            const char* pred;
        };
        static const L table[] = {
            {"mean_squared_error", "mean_squared_error", false, "predictions"},
            {"absolute_difference", "mean_absolute_error", false, "predictions"},
            {"softmax_cross_entropy", "categorical_crossentropy", true, "logits"},
            {"sparse_softmax_cross_entropy", "sparse_categorical_crossentropy", true, "logits"},
            {"sigmoid_cross_entropy", "binary_crossentropy", true, "logits"},
            {"log_loss", "binary_crossentropy", false, "predictions"},
            {"hinge_loss", "hinge", true, "logits"},
            {"huber_loss", "huber", false, "predictions"},
        };
        for (const L& l : table)
            if (name == l.tf) {
                set(l.canonical, n, l.logits);
                return by({l.pred}, 1);
            }
    }
    return {};
}

void Tf1Reader::read_optimizer(TSNode ctor, TSNode minimize) {
    Optimizer& o = cx_.prog.optimizer;
    cx_.prog.compile_call = span(minimize);
    o.call = span(ctor);
    std::string cls(last_part(qual(ctor)));
    auto name = optimizer_name(cls);
    if (!name) {
        o.name = unknown_value<std::string>(span(ctor), cat({"optimizer `", cls, "` is not known"}));
        return;
    }
    o.name.value = *name;
    o.name.kind = OriginKind::Literal;
    o.name.origin = span(field(ctor, "function"));
    o.name.literal = o.name.origin;
    Args a = call_args(cx_.src, ctor);
    TSNode lr = arg(a, 0, {"learning_rate"});
    o.lr_keyword = "learning_rate";
    if (!null(lr) && !a.positional.empty() && ts_node_eq(lr, a.positional[0])) o.lr_keyword = "";
    if (!null(lr)) {
        o.lr = cx_.number(lr);
    } else if (auto d = default_lr(Framework::TF1, *name)) {
        o.lr = default_value(*d, span(ctor));
    } else {
        o.lr = unknown_value<double>(span(ctor), cat({cls, " requires a learning rate"}));
    }
    if (cls == "MomentumOptimizer") {
        o.momentum = cx_.number(arg(a, 1, {"momentum"}));
        TSNode nesterov = arg(a, -1, {"use_nesterov"});
        o.nesterov = null(nesterov) ? default_value(false, span(ctor)) : cx_.boolean(nesterov);
    } else if (*name == "sgd") {
        o.momentum = default_value(0.0, span(ctor));
        o.nesterov = default_value(false, span(ctor));
    }
}

void Tf1Reader::read_loop(TSNode train_op) {
    // The training loop: a `for` around a sess.run(...)/train_op.run(...) that runs the training op.
    const Binding* op_binding = nullptr;
    if (is(ts_node_parent(train_op), "assignment"))
        if (const auto* list = cx_.scope.bindings(text(cx_.src, field(ts_node_parent(train_op), "left"))))
            for (const Binding& b : *list)
                if (ts_node_eq(b.stmt, ts_node_parent(train_op))) op_binding = &b;
    TSNode run_call{};
    for (const CallSite& c : cx_.scope.calls()) {
        const std::string& method = c.method;
        if (method != "run" && method != "eval") continue;
        auto mentions_op = [&](TSNode n) {
            std::vector<TSNode> stack{n};
            while (!stack.empty()) {
                TSNode cur = stack.back();
                stack.pop_back();
                if (ts_node_eq(cur, train_op)) return true;
                if (is(cur, "identifier") && op_binding && cx_.scope.lookup(cur) == op_binding) return true;
                for (TSNode k : named_children(cur))
                    stack.push_back(k);
            }
            return false;
        };
        Args a = call_args(cx_.src, c.call);
        bool runs = (!null(receiver(c.call)) && mentions_op(receiver(c.call)) && method == "run") ||
                    (!a.positional.empty() && mentions_op(a.positional[0]));
        if (runs) {
            run_call = c.call;
            break;
        }
    }
    if (null(run_call)) {
        cx_.note(train_op, "no sess.run(...) of the training op found", false);
        return;
    }
    std::vector<TSNode> loops;
    loops = cx_.scope.loops_around(run_call);
    if (loops.empty()) {
        cx_.prog.steps = default_value<int64_t>(1, span(run_call), "the training op runs once");
        cx_.prog.fit_call = span(run_call);
        return;
    }
    auto count = [&](TSNode loop) {
        TSNode it = field(loop, "right");
        // tqdm(range(n)) and trange(n) iterate like range(n).
        if (is(it, "call") && callee_name(cx_.src, it) == "tqdm")
            it = arg(call_args(cx_.src, it), 0, {"iterable"});
        if (is(it, "call") && callee_name(cx_.src, it) == "trange") {
            Args a = call_args(cx_.src, it);
            if (a.positional.size() == 1) return cx_.integer(a.positional[0]);
        }
        if (is(it, "call") && (callee_name(cx_.src, it) == "range" || callee_name(cx_.src, it) == "xrange")) {
            Args a = call_args(cx_.src, it);
            if (a.positional.size() == 1) return cx_.integer(a.positional[0]);
        }
        return unknown_value<int64_t>(span(loop),
                                      cat({"iterations of ", quoted(cx_.src, loop), " not known"}));
    };
    cx_.prog.fit_call = span(loops.back());
    cx_.prog.loop.present = true;
    cx_.prog.loop.loop = span(loops.back());
    // Running the minimize op computes fresh gradients and applies them: it is zero_grad, backward and step
    // at once, so the PyTorch loop checks and the probe see a complete step.
    cx_.prog.loop.zero_grad = cx_.prog.loop.backward = cx_.prog.loop.step = span(run_call);
    // steps counts every run of the training op; with an outer loop, that loop is the epochs.
    cx_.prog.steps = count(loops.front());
    if (loops.size() >= 2) {
        cx_.prog.epochs = count(loops.back());
        if (cx_.prog.epochs.known() && cx_.prog.steps.known()) {
            cx_.prog.steps.value = *cx_.prog.steps * *cx_.prog.epochs;
            cx_.prog.steps.kind = OriginKind::Derived;
            cx_.prog.steps.note = "runs of the training op: epochs times the inner loop's iterations";
        }
    }
    // The batch: mnist.train.next_batch(B) inside the loop.
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "next_batch") continue;
        if (ts_node_start_byte(c.call) < ts_node_start_byte(loops.front()) ||
            ts_node_end_byte(c.call) > ts_node_end_byte(loops.front()))
            continue;
        cx_.prog.batch_size = cx_.integer(arg(call_args(cx_.src, c.call), 0, {"batch_size"}));
    }
    if (!cx_.prog.batch_size.known() && cx_.prog.batch_size.note.empty()) {
        // Whole arrays fed in feed_dict: the batch is all of them.
        Args a = call_args(cx_.src, run_call);
        TSNode feed = arg(a, -1, {"feed_dict"});
        if (null(feed) && !a.positional.empty() && is(a.positional.back(), "dictionary"))
            feed = a.positional.back();
        if (is(feed, "dictionary") && !null(placeholder_)) {
            TSNode fed_x{}, fed_y{};
            for (TSNode pair : named_children(feed)) {
                Ref key = resolve({field(pair, "key"), nullptr});
                if (ts_node_eq(key.node, placeholder_)) {
                    fed_x = field(pair, "value");
                } else if (is(key.node, "call") && is_tf(qual(key.node), "placeholder") && null(fed_y) &&
                           cx_.ev.eval(field(pair, "value")).kind == Val::Kind::Array) {
                    // Another fed array: the targets (keep_prob and the like are scalars).
                    fed_y = field(pair, "value");
                }
            }
            BatchSlice xs = null(fed_x) ? BatchSlice{} : batch_slice(cx_, fed_x);
            if (!null(xs.array) && cx_.ev.eval(xs.array).kind == Val::Kind::Array) {
                // Manual batches of an array: the data is the array, the batch the slice's width.
                BatchSlice ys = null(fed_y) ? BatchSlice{} : batch_slice(cx_, fed_y);
                cx_.prog.batch_size = xs.batch;
                fill_data(cx_, xs.array, null(ys.array) ? fed_y : ys.array);
            } else if (!null(fed_x)) {
                Val v = cx_.ev.eval(fed_x);
                if (v.kind == Val::Kind::Array && !v.array->shape.empty() && v.array->shape[0] > 0) {
                    cx_.prog.batch_size.value = v.array->shape[0];
                    cx_.prog.batch_size.kind = OriginKind::Derived;
                    cx_.prog.batch_size.origin = span(fed_x);
                    cx_.prog.batch_size.note = "all rows are fed at each step";
                }
                fill_data(cx_, fed_x, fed_y);
            }
        }
        if (!cx_.prog.batch_size.known() && cx_.prog.batch_size.note.empty()) {
            // Input queues: the batch of tf.train.batch / shuffle_batch, when the script has exactly one.
            TSNode queue{};
            int queues = 0;
            for (const CallSite& c : cx_.scope.calls()) {
                std::string q = qual(c.call);
                if (is_tf(q, "train.batch") || is_tf(q, "train.shuffle_batch")) {
                    queue = c.call;
                    ++queues;
                }
            }
            if (queues == 1) {
                cx_.prog.batch_size = cx_.integer(arg(call_args(cx_.src, queue), 1, {"batch_size"}));
                if (cx_.prog.batch_size.known()) cx_.prog.batch_size.note = "the batch of the input queue";
            }
        }
        if (!cx_.prog.batch_size.known() && cx_.prog.batch_size.note.empty())
            cx_.prog.batch_size =
                unknown_value<int64_t>(span(run_call), "batch size not known from the feed");
    }
}

void Tf1Reader::read_data() {
    Data& d = cx_.prog.data;
    // The tutorial loader: input_data.read_data_sets(...) gives 55,000 flattened MNIST images scaled to [0,
    // 1].
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "read_data_sets") continue;
        Span load = span(cx_.scope.statement_of(c.call));
        d.source.value = "mnist";
        d.source.kind = OriginKind::Literal;
        d.source.origin = load;
        d.num_samples = default_value<int64_t>(55000, load, "read_data_sets training split");
        d.num_samples.kind = OriginKind::Derived;
        d.input_min = default_value(0.0, load, "read_data_sets scales pixels to [0, 1]");
        d.input_max = default_value(1.0, load, "read_data_sets scales pixels to [0, 1]");
        d.input_min.kind = d.input_max.kind = OriginKind::Derived;
        d.scaled.value = true;
        d.scaled.kind = OriginKind::Derived;
        d.scaled.origin = load;
        d.scaled.note = "read_data_sets returns scaled pixels";
        Value<bool> one_hot = cx_.boolean(arg(call_args(cx_.src, c.call), -1, {"one_hot"}));
        d.labels = one_hot.value_or(false) ? LabelFormat::OneHot : LabelFormat::Integer;
        d.labels_span = load;
        d.num_classes = default_value<int64_t>(10, load, "MNIST classes");
        d.num_classes.kind = OriginKind::Derived;
        d.is_image = true;
        d.input_shape = {784}; // flattened 28 x 28 images; a placeholder or reshape overrides it
        break;
    }
    if (!null(placeholder_)) {
        Val shape = cx_.ev.eval(arg(call_args(cx_.src, placeholder_), 1, {"shape"}));
        std::vector<int64_t> dims;
        if (shape.kind == Val::Kind::Seq)
            for (size_t k = 1; k < shape.items.size(); ++k)
                dims.push_back(shape.items[k].kind == Val::Kind::Int ? shape.items[k].i : -1);
        if (!input_reshape_.empty()) dims = input_reshape_;
        if (!cx_.prog.layers.empty()) cx_.prog.layers.front().input_shape = dims;
        d.input_shape = dims;
    }
    if (!null(placeholder_) && ts_node_eq(target_, placeholder_)) {
        // The targets are the inputs (an autoencoder): real values as wide as the input, whatever labels
        // the dataset also carries.
        d.labels = LabelFormat::Real;
        d.labels_span = span(placeholder_);
        d.num_classes = unknown_value<int64_t>(span(placeholder_), "the targets are the network's inputs");
    }
    if (null(placeholder_) && feature_input_) {
        // No placeholder: the network's input is as wide as its first layer declares or reshapes it.
        auto& layers = cx_.prog.layers;
        std::vector<int64_t> dims = input_reshape_;
        if (dims.empty() && !layers.empty() && layers.front().params.count("in_features") &&
            layers.front().params.at("in_features").known())
            dims = {static_cast<int64_t>(*layers.front().params.at("in_features"))};
        if (dims.empty()) dims = d.input_shape;
        if (!layers.empty() && layers.front().input_shape.empty()) layers.front().input_shape = dims;
        if (!dims.empty()) d.input_shape = dims;
    }
    if (!d.source.known()) fill_data_fallback(cx_);
}

void Tf1Reader::run() {
    // The training op: <optimizer>.minimize(loss).
    TSNode minimize{};
    TSNode ctor{};
    TSNode loss_arg{};
    for (const CallSite& c : cx_.scope.calls()) {
        const std::string& method = c.method;
        Args a = call_args(cx_.src, c.call);
        // opt.minimize(loss), or slim's create_train_op(loss, opt).
        TSNode opt = method == "minimize"          ? cx_.ev.object_of(receiver(c.call))
                     : method == "create_train_op" ? cx_.ev.object_of(arg(a, 1, {"optimizer"}))
                                                   : TSNode{};
        if (!is(opt, "call") || !optimizer_name(last_part(qual(opt)))) continue;
        minimize = c.call;
        ctor = opt;
        loss_arg = arg(a, 0, {"loss", "total_loss"});
    }
    if (null(minimize)) {
        cx_.note(cx_.root, "no tf.train optimizer's minimize(loss) found: the TF1 graph is not read", true);
        fill_data_fallback(cx_);
        return;
    }
    read_optimizer(ctor, minimize);
    Ref prediction = read_loss({loss_arg, nullptr}, 0);
    if (!cx_.prog.loss.name.known() && cx_.prog.loss.name.note.empty()) {
        cx_.prog.loss.name = unknown_value<std::string>(
            span(loss_arg), cat({"the loss ", quoted(cx_.src, loss_arg), " is not a known loss"}));
    }
    if (null(prediction.node)) {
        cx_.note(loss_arg, "the network output cannot be found from the loss", true);
    } else {
        walk(prediction, 0);
        if (!cx_.prog.layers.empty()) cx_.prog.model_span = cx_.prog.layers.front().span;
    }
    read_loop(minimize);
    read_data();
}

} // namespace

void extract_tf1(Context& cx) {
    Tf1Reader reader(cx);
    reader.run();
}

} // namespace faultline
