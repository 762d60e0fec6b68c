// PyTorch: nn.Sequential and nn.Module subclasses (layers from __init__, order from forward), the loss
// module, torch.optim, the hand-written training loop, DataLoader and torchvision datasets.
#include "defaults.h"
#include "extract.h"
#include "names.h"
#include "training_step.h"

#include <algorithm>

#include <unordered_map>

namespace faultline {

using namespace syntax;

namespace {

bool inside(TSNode outer, TSNode inner) {
    return !null(outer) && ts_node_start_byte(inner) >= ts_node_start_byte(outer) &&
           ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

// torch.nn module classes and functional ops that are activations.
std::optional<std::string> torch_activation(std::string_view name) {
    static const std::unordered_map<std::string_view, std::string_view> acts = {
        {"ReLU", "relu"},
        {"relu", "relu"},
        {"ReLU6", "relu"},
        {"relu6", "relu"},
        {"Sigmoid", "sigmoid"},
        {"sigmoid", "sigmoid"},
        {"Tanh", "tanh"},
        {"tanh", "tanh"},
        {"Softmax", "softmax"},
        {"softmax", "softmax"},
        {"LogSoftmax", "log_softmax"},
        {"log_softmax", "log_softmax"},
        {"LeakyReLU", "leaky_relu"},
        {"leaky_relu", "leaky_relu"},
        {"ELU", "elu"},
        {"elu", "elu"},
        {"SELU", "selu"},
        {"selu", "selu"},
        {"GELU", "gelu"},
        {"gelu", "gelu"},
        {"Softplus", "softplus"},
        {"softplus", "softplus"},
        {"Softsign", "softsign"},
        {"SiLU", "swish"},
        {"silu", "swish"},
        {"Hardsigmoid", "hard_sigmoid"},
        {"hardsigmoid", "hard_sigmoid"},
        {"Identity", "linear"},
    };
    auto it = acts.find(name);
    if (it == acts.end()) return std::nullopt;
    return std::string(it->second);
}

struct LossSpec {
    const char* canonical;
    bool logits;
};

std::optional<LossSpec> torch_loss(std::string_view name) {
    static const std::unordered_map<std::string_view, LossSpec> losses = {
        {"CrossEntropyLoss", {"sparse_categorical_crossentropy", true}},
        {"cross_entropy", {"sparse_categorical_crossentropy", true}},
        {"NLLLoss", {"nll", false}},
        {"nll_loss", {"nll", false}},
        {"BCELoss", {"binary_crossentropy", false}},
        {"binary_cross_entropy", {"binary_crossentropy", false}},
        {"BCEWithLogitsLoss", {"binary_crossentropy", true}},
        {"binary_cross_entropy_with_logits", {"binary_crossentropy", true}},
        {"MSELoss", {"mean_squared_error", false}},
        {"mse_loss", {"mean_squared_error", false}},
        {"L1Loss", {"mean_absolute_error", false}},
        {"l1_loss", {"mean_absolute_error", false}},
        {"SmoothL1Loss", {"huber", false}},
        {"smooth_l1_loss", {"huber", false}},
        {"HuberLoss", {"huber", false}},
        {"huber_loss", {"huber", false}},
        {"KLDivLoss", {"kl_divergence", false}},
        {"kl_div", {"kl_divergence", false}},
        {"HingeEmbeddingLoss", {"hinge", false}},
        {"PoissonNLLLoss", {"poisson", false}},
    };
    auto it = losses.find(name);
    if (it == losses.end()) return std::nullopt;
    return it->second;
}

class TorchReader {
public:
    explicit TorchReader(Context& cx) : cx_(cx) {}
    void run();

private:
    TSNode strip_moves(TSNode obj) const;
    TSNode find_model();
    void read_module_class(TSNode cls);
    void read_sequential(TSNode call);
    int walk_forward(TSNode expr, int depth);
    std::optional<Layer> module_layer(TSNode ctor);
    void functional(TSNode call, const std::string& name);
    // `output[:, -1, :]` after a recurrent module: its last step.
    int last_step(TSNode subscript, int depth);
    void read_optimizer();
    void read_loss();
    void read_loop();
    void read_data(TSNode loop, TSNode forward_call);

    Context& cx_;
    TSNode model_{};
    TSNode class_{};                                // the nn.Module subclass, if any
    std::unordered_map<std::string, TSNode> attrs_; // self.<name> = <constructor> in __init__
    TSNode forward_{};
    TSNode backward_{};
};

// `Net().to(device)`, `model.cuda()`, `.double()`: the same module.
TSNode TorchReader::strip_moves(TSNode obj) const {
    for (int hops = 0; hops < 8 && is(obj, "call"); ++hops) {
        std::string method = callee_name(cx_.src, obj);
        TSNode recv = receiver(obj);
        if (null(recv) || !(method == "to" || method == "cuda" || method == "cpu" || method == "double" ||
                            method == "float" || method == "train" || method == "half"))
            break;
        obj = cx_.ev.object_of(recv);
    }
    return obj;
}

TSNode TorchReader::find_model() {
    // The module whose parameters the optimizer trains.
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "parameters") continue;
        TSNode recv = receiver(c.call);
        if (null(recv)) continue;
        TSNode obj = strip_moves(cx_.ev.object_of(recv));
        if (is(obj, "call")) return obj;
    }
    // Otherwise the first instance of a Module subclass, or the first nn.Sequential.
    for (const CallSite& c : cx_.scope.calls()) {
        TSNode def = cx_.scope.definition(c.callee);
        if (is(def, "class_definition") &&
            text(cx_.src, field(def, "superclasses")).find("Module") != std::string_view::npos)
            return c.call;
        if (last_part(cx_.ev.callee(c.call)) == "Sequential") return c.call;
    }
    return TSNode{};
}

std::optional<Layer> TorchReader::module_layer(TSNode ctor) {
    std::string q = cx_.ev.callee(ctor);
    std::string cls(last_part(q));
    Args a = call_args(cx_.src, ctor);
    Layer l;
    l.span = span(ctor);
    auto num = [&](int pos, std::initializer_list<std::string_view> names) {
        return cx_.number(arg(a, pos, names));
    };
    auto pair = [&](const char* first, const char* second, TSNode n) {
        if (null(n)) return;
        Val v = cx_.ev.eval(n);
        if (v.kind == Val::Kind::Seq && v.items.size() >= 2) {
            l.params[first] = from_val<double>(v.items[0], v.items[0].number());
            l.params[second] = from_val<double>(v.items[1], v.items[1].number());
        } else {
            l.params[first] = cx_.number(n);
            l.params[second] = l.params[first];
        }
    };
    auto torch_init = [&] {
        // PyTorch's own initialization (kaiming_uniform with a=sqrt(5)), not a Keras initializer.
        l.kernel_initializer = default_value<std::string>("torch_default", span(ctor));
        l.bias_initializer = default_value<std::string>("torch_default", span(ctor));
    };
    if (auto act = torch_activation(cls)) {
        l.kind = "Activation";
        l.activation.value = *act;
        l.activation.kind = OriginKind::Literal;
        l.activation.origin = span(field(ctor, "function"));
        l.activation.literal = l.activation.origin;
        if (cls == "LeakyReLU") {
            TSNode slope = arg(a, 0, {"negative_slope"});
            l.params["alpha"] = null(slope) ? default_value(0.01, span(ctor)) : cx_.number(slope);
        }
        return l;
    }
    if (cls == "Linear") {
        l.kind = "Dense";
        l.units = cx_.integer(arg(a, 1, {"out_features"}));
        l.params["in_features"] = num(0, {"in_features"});
        if (l.params["in_features"].known()) l.input_shape = {static_cast<int64_t>(*l.params["in_features"])};
        l.activation = default_value<std::string>("linear", span(ctor), "nn.Linear has no activation");
        torch_init();
    } else if (cls == "Conv2d" || cls == "Conv1d") {
        l.kind = cls == "Conv2d" ? "Conv2D" : "Conv1D";
        l.channels_first = true;
        l.units = cx_.integer(arg(a, 1, {"out_channels"}));
        l.params["in_channels"] = num(0, {"in_channels"});
        if (cls == "Conv2d")
            pair("kernel_size", "kernel_size2", arg(a, 2, {"kernel_size"}));
        else
            l.params["kernel_size"] = num(2, {"kernel_size"});
        TSNode stride = arg(a, 3, {"stride"});
        if (!null(stride)) pair("strides", "strides2", stride);
        TSNode padding = arg(a, 4, {"padding"});
        Val pv = cx_.ev.eval(padding);
        auto ks = l.params.find("kernel_size");
        if (null(padding) || (pv.kind == Val::Kind::Int && pv.i == 0) ||
            (pv.kind == Val::Kind::Str && pv.s == "valid"))
            l.padding = "valid";
        else if ((pv.kind == Val::Kind::Str && pv.s == "same") ||
                 (pv.kind == Val::Kind::Int && ks != l.params.end() && ks->second.known() &&
                  pv.i == static_cast<int64_t>(*ks->second) / 2))
            l.padding = "same";
        else
            l.params["padding"] = cx_.number(padding);
        l.activation = default_value<std::string>("linear", span(ctor), "nn.Conv has no activation");
        torch_init();
    } else if (cls == "MaxPool2d" || cls == "AvgPool2d" || cls == "MaxPool1d" || cls == "AvgPool1d") {
        bool two = cls.back() == 'd' && cls[cls.size() - 2] == '2';
        l.kind =
            std::string(cls.rfind("Max", 0) == 0 ? "MaxPooling" : "AveragePooling") + (two ? "2D" : "1D");
        l.channels_first = true;
        pair("pool_size", "pool_size2", arg(a, 0, {"kernel_size"}));
        TSNode stride = arg(a, 1, {"stride"});
        if (!null(stride)) pair("strides", "strides2", stride);
        l.padding = "valid";
    } else if (cls == "AdaptiveAvgPool2d" || cls == "AdaptiveMaxPool2d") {
        l.kind = cls == "AdaptiveAvgPool2d" ? "GlobalAveragePooling2D" : "GlobalMaxPooling2D";
        l.channels_first = true;
    } else if (cls == "Dropout" || cls == "Dropout2d") {
        l.kind = "Dropout";
        TSNode p = arg(a, 0, {"p"});
        l.params["rate"] =
            null(p) ? default_value(0.5, span(ctor), "nn.Dropout default p=0.5") : cx_.number(p);
    } else if (cls == "Flatten") {
        l.kind = "Flatten";
    } else if (cls == "BatchNorm1d" || cls == "BatchNorm2d") {
        l.kind = "BatchNormalization";
        l.channels_first = true;
    } else if (cls == "Embedding") {
        l.kind = "Embedding";
        l.params["input_dim"] = num(0, {"num_embeddings"});
        l.units = cx_.integer(arg(a, 1, {"embedding_dim"}));
    } else if (cls == "LSTM" || cls == "GRU" || cls == "RNN") {
        l.kind = cls == "RNN" ? "SimpleRNN" : cls;
        l.params["in_features"] = num(0, {"input_size"});
        l.units = cx_.integer(arg(a, 1, {"hidden_size"}));
        l.activation = default_value<std::string>("tanh", span(ctor));
    } else if (cls == "Sequential") {
        return std::nullopt; // expanded by the caller
    } else if (cls.empty()) {
        cx_.note(ctor, cat({"layer `", text(cx_.src, ctor), "` is not supported"}), true);
        return std::nullopt;
    } else {
        // A module class the rebuild does not know (one of the script's own, or a library's): read as
        // passing its input through unchanged.
        bool own = is(cx_.scope.definition(cls), "class_definition");
        cx_.assume(ctor, cat({"module `", cls, "`", own ? " (defined in the script)" : "",
                              " keeps its input's shape: the probe does not rebuild it"}));
        l.kind = "Identity";
    }
    return l;
}

void TorchReader::read_sequential(TSNode call) {
    for (TSNode item : call_args(cx_.src, call).positional) {
        TSNode ctor = cx_.ev.object_of(item);
        if (!is(ctor, "call")) {
            cx_.note(item, cat({"module ", quoted(cx_.src, item), " cannot be followed"}), true);
            continue;
        }
        if (last_part(cx_.ev.callee(ctor)) == "Sequential") {
            read_sequential(ctor);
            continue;
        }
        if (auto l = module_layer(ctor)) cx_.prog.layers.push_back(std::move(*l));
    }
}

void TorchReader::functional(TSNode call, const std::string& name) {
    Layer l;
    l.span = span(call);
    Args a = call_args(cx_.src, call);
    if (auto act = torch_activation(name)) {
        l.kind = "Activation";
        l.activation.value = *act;
        l.activation.kind = OriginKind::Literal;
        l.activation.origin = span(field(call, "function"));
        l.activation.literal = l.activation.origin;
    } else if (name == "max_pool2d" || name == "avg_pool2d" || name == "max_pool1d") {
        l.kind = name == "max_pool2d"   ? "MaxPooling2D"
                 : name == "avg_pool2d" ? "AveragePooling2D"
                                        : "MaxPooling1D";
        l.channels_first = true;
        l.params["pool_size"] = cx_.number(arg(a, 1, {"kernel_size"}));
        l.params["pool_size2"] = l.params["pool_size"];
    } else if (name == "dropout") {
        l.kind = "Dropout";
        TSNode p = arg(a, 1, {"p"});
        l.params["rate"] =
            null(p) ? default_value(0.5, span(call), "F.dropout default p=0.5") : cx_.number(p);
    } else if (name == "view" || name == "reshape") {
        // x.view(-1, 28, 28) keeps more than one axis: a Reshape (the leading -1 is the batch); x.view(-1, n)
        // and x.view(x.size(0), -1) flatten.
        std::vector<int64_t> dims;
        std::vector<TSNode> given = a.positional;
        if (given.size() == 1) {
            Val v = cx_.ev.eval(given[0]);
            for (const Val& d : v.kind == Val::Kind::Seq ? v.items : std::vector<Val>{})
                dims.push_back(d.kind == Val::Kind::Int ? d.i : 0);
        } else {
            for (TSNode d : given) {
                Val v = cx_.ev.eval(d);
                dims.push_back(v.kind == Val::Kind::Int ? v.i : 0);
            }
        }
        bool readable = dims.size() >= 3 && dims.front() == -1 &&
                        std::none_of(dims.begin() + 1, dims.end(), [](int64_t d) { return d <= 0; });
        l.kind = readable ? "Reshape" : "Flatten";
        if (readable) l.target_shape = dims;
    } else if (name == "flatten") {
        l.kind = "Flatten";
    } else {
        return;
    }
    cx_.prog.layers.push_back(std::move(l));
}

// Appends the layers producing `expr` inside forward(), in forward order. Returns -1 at the input.
int TorchReader::walk_forward(TSNode expr, int depth) {
    if (depth > 200 || null(expr)) return -1;
    expr = unwrap(expr);
    if (is(expr, "identifier")) {
        const Binding* b = cx_.scope.lookup(expr);
        if (!b || b->kind == Binding::Kind::Param) return -1; // forward's input
        // `output, hidden = self.rnn(x)`: a module's output is the first item of what it returns.
        if (b->kind == Binding::Kind::Assign && b->path.size() == 1 && b->path.front() == 0 &&
            is(unwrap(b->value), "call"))
            return walk_forward(b->value, depth + 1);
        if (b->kind != Binding::Kind::Assign || !b->path.empty()) {
            cx_.note(expr, cat({"cannot follow ", quoted(cx_.src, expr), " in forward()"}), true);
            return -1;
        }
        return walk_forward(b->value, depth + 1);
    }
    if (is(expr, "binary_operator")) {
        cx_.note(expr,
                 cat({"forward() combines tensors in ", quoted(cx_.src, expr),
                      ": only the left operand is followed"}),
                 true);
        return walk_forward(field(expr, "left"), depth + 1);
    }
    if (is(expr, "subscript")) return last_step(expr, depth);
    if (!is(expr, "call")) {
        cx_.note(expr, cat({"forward() goes through ", quoted(cx_.src, expr), ", which is not followed"}),
                 true);
        return -1;
    }
    TSNode fn = unwrap(field(expr, "function"));
    Args a = call_args(cx_.src, expr);
    // self.layer(x): a module built in __init__.
    if (is(fn, "attribute") && text(cx_.src, field(fn, "object")) == "self") {
        std::string attr(text(cx_.src, field(fn, "attribute")));
        auto it = attrs_.find(attr);
        if (a.positional.empty()) return -1;
        walk_forward(a.positional[0], depth + 1);
        if (it == attrs_.end()) {
            cx_.note(expr, cat({"self.", attr, " is not built in __init__"}), true);
            return -1;
        }
        TSNode ctor = it->second;
        if (last_part(cx_.ev.callee(ctor)) == "Sequential") {
            read_sequential(ctor);
        } else if (auto l = module_layer(ctor)) {
            l->span = span(expr);
            cx_.prog.layers.push_back(std::move(*l));
        }
        return static_cast<int>(cx_.prog.layers.size()) - 1;
    }
    std::string q = cx_.ev.callee(expr);
    std::string name = is(fn, "attribute") ? std::string(text(cx_.src, field(fn, "attribute"))) : q;
    bool functional_call = q.rfind("torch.", 0) == 0;
    // x.view(...), x.relu(), x.flatten(1): methods of the tensor.
    if (!functional_call && is(fn, "attribute")) {
        walk_forward(field(fn, "object"), depth + 1);
        functional(expr, name);
        return static_cast<int>(cx_.prog.layers.size()) - 1;
    }
    if (functional_call) {
        if (a.positional.empty()) return -1;
        walk_forward(a.positional[0], depth + 1);
        size_t before = cx_.prog.layers.size();
        functional(expr, std::string(last_part(q)));
        if (cx_.prog.layers.size() == before && last_part(q) != "squeeze" && last_part(q) != "unsqueeze")
            cx_.note(
                expr,
                cat({"forward() calls ", quoted(cx_.src, field(expr, "function")), ", which is not read"}),
                true);
        return static_cast<int>(cx_.prog.layers.size()) - 1;
    }
    cx_.note(expr, cat({"forward() goes through ", quoted(cx_.src, expr), ", which is not followed"}), true);
    return -1;
}

int TorchReader::last_step(TSNode sub, int depth) {
    walk_forward(field(sub, "value"), depth + 1);
    auto& layers = cx_.prog.layers;
    const std::string kind = layers.empty() ? std::string() : layers.back().kind;
    if (kind != "LSTM" && kind != "GRU" && kind != "SimpleRNN") {
        cx_.note(sub, cat({"forward() goes through ", quoted(cx_.src, sub), ", which is not followed"}),
                 true);
        return -1;
    }
    // `output[:, -1, :]` (batch first) or `output[-1]` (time first): the last step of the sequence. Any
    // other slice of an RNN's output is read as the last step too.
    std::string written(text(cx_.src, sub));
    bool last = written.find("[:, -1") != std::string::npos || written.find("[-1]") != std::string::npos;
    if (!last) cx_.assume(sub, cat({quoted(cx_.src, sub), " takes the last step of the RNN output"}));
    layers.back().params["return_sequences"] = default_value(0.0, span(sub), "the last step of the sequence");
    layers.back().params["return_sequences"].kind = OriginKind::Derived;
    return static_cast<int>(layers.size()) - 1;
}

void TorchReader::read_module_class(TSNode cls) {
    TSNode init{};
    for (TSNode item : named_children(field(cls, "body"))) {
        TSNode def = is(item, "decorated_definition") ? field(item, "definition") : item;
        if (!is(def, "function_definition")) continue;
        std::string_view name = text(cx_.src, field(def, "name"));
        if (name == "__init__") init = def;
        if (name == "forward") forward_ = def;
    }
    // self.<name> = <module> in __init__.
    std::vector<TSNode> stack{field(init, "body")};
    while (!stack.empty()) {
        TSNode n = stack.back();
        stack.pop_back();
        for (TSNode c : named_children(n)) {
            if (is(c, "assignment")) {
                TSNode left = field(c, "left");
                if (is(left, "attribute") && text(cx_.src, field(left, "object")) == "self") {
                    TSNode ctor = cx_.ev.object_of(field(c, "right"));
                    if (is(ctor, "call")) attrs_[std::string(text(cx_.src, field(left, "attribute")))] = ctor;
                }
            } else if (!is(c, "function_definition")) {
                stack.push_back(c);
            }
        }
    }
    if (null(forward_)) {
        cx_.note(cls, "the module has no forward(): layer order unknown", true);
        return;
    }
    std::vector<TSNode> returns = return_statements(field(forward_, "body"));
    if (returns.empty() || named_children(returns.back()).empty()) {
        cx_.note(forward_, "forward() returns nothing that can be followed", true);
        return;
    }
    if (returns.size() > 1) cx_.note(forward_, "forward() has several returns: the last one is read", true);
    TSNode out = named_children(returns.back())[0];
    if (is(out, "tuple") || is(out, "expression_list")) out = named_children(out)[0];
    walk_forward(out, 0);
}

void TorchReader::read_optimizer() {
    Optimizer& o = cx_.prog.optimizer;
    for (const CallSite& c : cx_.scope.calls()) {
        std::string q = cx_.ev.callee(c.call);
        if (q.rfind("torch.optim.", 0) != 0 || q.find("lr_scheduler") != std::string::npos) continue;
        std::string cls(last_part(q));
        auto name = optimizer_name(cls);
        if (!name) continue;
        o.call = span(c.call);
        o.name.value = *name;
        o.name.kind = OriginKind::Literal;
        o.name.origin = span(field(c.call, "function"));
        o.name.literal = o.name.origin;
        Args a = call_args(cx_.src, c.call);
        TSNode lr = arg(a, 1, {"lr"});
        o.lr_keyword = "lr";
        if (!null(lr) && a.positional.size() >= 2 && ts_node_eq(lr, a.positional[1])) o.lr_keyword = "";
        if (!null(lr))
            o.lr = cx_.number(lr);
        else if (auto d = default_lr(Framework::PyTorch, *name))
            o.lr = default_value(*d, span(c.call));
        else
            o.lr = unknown_value<double>(span(c.call), cat({"torch.optim.", cls, " requires lr"}));
        if (*name == "sgd" || *name == "rmsprop") {
            TSNode m = arg(a, *name == "sgd" ? 2 : -1, {"momentum"});
            o.momentum = null(m) ? default_value(0.0, span(c.call)) : cx_.number(m);
        }
        if (*name == "sgd") {
            TSNode n = arg(a, -1, {"nesterov"});
            o.nesterov = null(n) ? default_value(false, span(c.call)) : cx_.boolean(n);
        }
        return;
    }
    cx_.note(cx_.root, "no torch.optim optimizer found");
}

void TorchReader::read_loss() {
    Loss& l = cx_.prog.loss;
    // The loss whose result is back-propagated: `loss = criterion(out, y)` ... `loss.backward()`.
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "backward") continue;
        backward_ = c.call;
        TSNode v = cx_.ev.object_of(receiver(c.call));
        for (int hops = 0; hops < 4 && is(v, "binary_operator"); ++hops)
            v = cx_.ev.object_of(field(v, "left"));
        if (!is(v, "call")) continue;
        TSNode fn = unwrap(field(v, "function"));
        TSNode ctor = is(fn, "identifier") ? cx_.ev.object_of(fn) : TSNode{};
        TSNode named = is(ctor, "call") ? ctor : v;
        std::string cls(last_part(cx_.ev.callee(named)));
        auto spec = torch_loss(cls);
        if (!spec) {
            l.name = unknown_value<std::string>(span(named),
                                                cat({"loss ", quoted(cx_.src, named), " is not known"}));
            l.call = span(named);
            return;
        }
        l.name.value = spec->canonical;
        l.name.kind = OriginKind::Literal;
        l.name.origin = span(field(named, "function"));
        l.name.literal = l.name.origin;
        l.call = span(named);
        l.from_logits = spec->logits;
        Val reduction = cx_.ev.eval(arg(call_args(cx_.src, named), -1, {"reduction"}));
        if (reduction.kind == Val::Kind::Str) l.reduction = reduction.s;
        return;
    }
    // No backward(): the first loss module built.
    for (const CallSite& c : cx_.scope.calls()) {
        std::string cls(last_part(cx_.ev.callee(c.call)));
        if (auto spec = torch_loss(cls); spec && cls.find("Loss") != std::string::npos) {
            l.name.value = spec->canonical;
            l.name.kind = OriginKind::Literal;
            l.name.origin = span(field(c.call, "function"));
            l.call = span(c.call);
            l.from_logits = spec->logits;
            return;
        }
    }
    l.name = unknown_value<std::string>(Span{}, "no loss found");
}

void TorchReader::read_loop() {
    TrainingLoop& loop = cx_.prog.loop;
    if (null(backward_)) {
        cx_.note(cx_.root, "no loss.backward() found: the training loop is not read");
        return;
    }
    std::vector<TSNode> loops; // innermost first
    loops = cx_.scope.loops_around(backward_);
    loop.present = true;
    loop.backward = span(backward_);
    // A training loop inside a function of the script runs as often as its callers call it (the
    // pytorch/examples pattern calls `train(...)` once per epoch from main()): one pass is then not what the
    // text says, and the count stays unknown.
    const bool in_function = !null(cx_.scope.enclosing(backward_, "function_definition"));
    if (loops.empty()) {
        cx_.prog.epochs =
            in_function
                ? unknown_value<int64_t>(span(cx_.scope.statement_of(backward_)),
                                         "backward() runs in a function called an unknown number of times")
                : default_value<int64_t>(1, span(cx_.scope.statement_of(backward_)), "backward() runs once");
        return;
    }
    TSNode epoch_loop = loops.back();
    loop.loop = span(epoch_loop);
    cx_.prog.fit_call = span(epoch_loop);
    TSNode it = field(epoch_loop, "right");
    if (is(it, "call") && callee_name(cx_.src, it) == "range") {
        Args a = call_args(cx_.src, it);
        TSNode n = a.positional.size() == 1   ? a.positional[0]
                   : a.positional.size() >= 2 ? a.positional[1]
                                              : TSNode{};
        cx_.prog.epochs = cx_.integer(n);
        if (a.positional.size() >= 2) {
            Value<int64_t> start = cx_.integer(a.positional[0]);
            if (start.known() && cx_.prog.epochs.known()) {
                cx_.prog.epochs.value = *cx_.prog.epochs - *start;
                cx_.prog.epochs.kind = OriginKind::Derived;
            }
        }
    } else if (loops.size() == 1 && !in_function) {
        cx_.prog.epochs = default_value<int64_t>(1, span(epoch_loop), "one pass over the data");
    } else if (loops.size() == 1) {
        cx_.prog.epochs = unknown_value<int64_t>(
            span(epoch_loop), "one pass over the data per call of the function holding it");
    } else {
        cx_.prog.epochs = unknown_value<int64_t>(span(it), "epoch count not known");
    }
    // zero_grad / step inside the epoch loop, or in the script's functions it calls.
    StepCalls calls = read_step_calls(cx_, epoch_loop);
    loop.zero_grad = calls.zero_grad;
    loop.step = calls.step;
    // The forward call of the training step, and evaluation outside it.
    TSNode batch_loop = loops.front();
    TSNode train_forward{};
    bool eval_called = false;
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method == "eval" && !null(receiver(c.call)) &&
            ts_node_eq(strip_moves(cx_.ev.object_of(receiver(c.call))), model_))
            eval_called = true;
        TSNode fn = unwrap(field(c.call, "function"));
        if (!is(fn, "identifier")) continue;
        if (!ts_node_eq(strip_moves(cx_.ev.object_of(fn)), model_)) continue;
        if (inside(batch_loop, c.call)) {
            if (null(train_forward)) train_forward = c.call;
            continue;
        }
        bool guarded = false;
        for (TSNode p = ts_node_parent(c.call); !null(p); p = ts_node_parent(p))
            if (is(p, "with_statement") && text(cx_.src, p).find("no_grad") != std::string_view::npos)
                guarded = true;
        if (!guarded && !eval_called && ts_node_start_byte(c.call) > ts_node_start_byte(epoch_loop) &&
            !loop.validation) {
            loop.validation_without_no_grad = true;
            loop.validation = span(c.call);
        }
    }
    read_data(batch_loop, train_forward);
}

void TorchReader::read_data(TSNode loop, TSNode forward_call) {
    TrainingProgram& p = cx_.prog;
    // for x, y in loader / for i, (x, y) in enumerate(loader)
    TSNode it = field(loop, "right");
    if (is(it, "call") && callee_name(cx_.src, it) == "enumerate")
        it = arg(call_args(cx_.src, it), 0, {"iterable"});
    TSNode loader = cx_.ev.object_of(it);
    // `def train(model, device, train_loader, ...)` called with the loader built in main().
    for (int hops = 0; hops < 4 && is(loader, "identifier"); ++hops) {
        TSNode passed = passed_argument(cx_, loader);
        if (null(passed)) break;
        loader = cx_.ev.object_of(passed);
    }
    if (is(loader, "call") && last_part(cx_.ev.callee(loader)) == "DataLoader") {
        Args a = call_args(cx_.src, loader);
        TSNode bs = arg(a, 1, {"batch_size"});
        if (!null(bs))
            p.batch_size = cx_.integer(bs);
        else if (a.has_splat)
            p.batch_size =
                unknown_value<int64_t>(span(loader), "the DataLoader's arguments come from **kwargs");
        else
            p.batch_size = default_value<int64_t>(1, span(loader), "DataLoader default batch_size=1");
        TSNode ds = cx_.ev.object_of(arg(a, 0, {"dataset"}));
        std::string dcls = is(ds, "call") ? std::string(last_part(cx_.ev.callee(ds))) : std::string();
        if (dcls == "TensorDataset") {
            Args d = call_args(cx_.src, ds);
            fill_data(cx_, d.positional.empty() ? TSNode{} : d.positional[0],
                      d.positional.size() > 1 ? d.positional[1] : TSNode{});
            return;
        }
        struct Vision {
            const char* cls;
            const char* name;
            std::vector<int64_t> shape;
            int64_t rows, classes;
        };
        static const Vision vision[] = {
            {"MNIST", "mnist", {1, 28, 28}, 60000, 10},
            {"FashionMNIST", "fashion_mnist", {1, 28, 28}, 60000, 10},
            {"CIFAR10", "cifar10", {3, 32, 32}, 50000, 10},
            {"CIFAR100", "cifar100", {3, 32, 32}, 50000, 100},
        };
        for (const Vision& v : vision) {
            if (dcls != v.cls) continue;
            Span load = span(cx_.scope.statement_of(ds));
            Data& d = p.data;
            d.source.value = v.name;
            d.source.kind = OriginKind::Literal;
            d.source.origin = load;
            d.input_shape = v.shape;
            d.num_samples = default_value<int64_t>(v.rows, load, "torchvision training split");
            d.num_samples.kind = OriginKind::Derived;
            d.labels = LabelFormat::Integer;
            d.labels_span = load;
            d.num_classes = default_value<int64_t>(v.classes, load, "dataset classes");
            d.num_classes.kind = OriginKind::Derived;
            d.is_image = true;
            // transforms.ToTensor scales to [0, 1]; Normalize standardizes; without them the images are PIL.
            std::string_view stext = text(cx_.src, ds);
            std::string transform_text(stext);
            TSNode tr = cx_.ev.object_of(arg(call_args(cx_.src, ds), -1, {"transform"}));
            if (!null(tr)) transform_text = std::string(text(cx_.src, tr));
            bool to_tensor = transform_text.find("ToTensor") != std::string::npos;
            bool normalize = transform_text.find("Normalize") != std::string::npos;
            d.scaled.value = to_tensor || normalize;
            d.scaled.kind = OriginKind::Derived;
            d.scaled.origin = null(tr) ? load : span(tr);
            d.input_min =
                default_value(normalize ? -3.0 : 0.0, d.scaled.origin, "after the dataset's transform");
            d.input_max = default_value(normalize ? 3.0 : (to_tensor ? 1.0 : 255.0), d.scaled.origin,
                                        "after the dataset's transform");
            d.input_min.kind = d.input_max.kind = OriginKind::Derived;
            // `images = images.reshape(-1, 28 * 28)` before the forward call: the network sees that shape.
            TSNode fed = forward_call.id ? arg(call_args(cx_.src, forward_call), 0, {"input"}) : TSNode{};
            TSNode reshaped = fed.id ? strip_moves(cx_.ev.object_of(fed)) : TSNode{};
            if (is(reshaped, "call") &&
                (callee_name(cx_.src, reshaped) == "reshape" || callee_name(cx_.src, reshaped) == "view")) {
                Args r = call_args(cx_.src, reshaped);
                std::vector<int64_t> dims;
                for (TSNode dn : r.positional) {
                    Val dv = cx_.ev.eval(dn);
                    dims.push_back(dv.kind == Val::Kind::Int ? dv.i : -2);
                }
                bool known = dims.size() >= 2 && dims[0] == -1;
                for (size_t k = 1; k < dims.size(); ++k)
                    known = known && dims[k] > 0;
                if (known) d.input_shape.assign(dims.begin() + 1, dims.end());
            }
            return;
        }
        cx_.note(loader, cat({"the DataLoader's dataset ", quoted(cx_.src, arg(a, 0, {"dataset"})),
                              " is not followed"}));
        return;
    }
    // Full-batch training on tensors: model(X) with X an array.
    if (!null(forward_call)) {
        Args a = call_args(cx_.src, forward_call);
        TSNode x = a.positional.empty() ? TSNode{} : a.positional[0];
        TSNode y{};
        if (!null(backward_)) {
            TSNode v = cx_.ev.object_of(receiver(backward_));
            if (is(v, "call")) {
                Args la = call_args(cx_.src, v);
                if (la.positional.size() >= 2) y = la.positional[1];
            }
        }
        // Manual batches, `x[i:i + 32]`: the data is the sliced array, the batch the slice's width.
        if (BatchSlice xs = batch_slice(cx_, x);
            !null(xs.array) && cx_.ev.eval(xs.array).kind == Val::Kind::Array) {
            BatchSlice ys = batch_slice(cx_, y);
            fill_data(cx_, xs.array, null(ys.array) ? y : ys.array);
            p.batch_size = xs.batch;
            return;
        }
        Val xv = cx_.ev.eval(x);
        if (xv.kind == Val::Kind::Array) {
            fill_data(cx_, x, y);
            if (!xv.array->shape.empty() && xv.array->shape[0] > 0) {
                p.batch_size.value = xv.array->shape[0];
                p.batch_size.kind = OriginKind::Derived;
                p.batch_size.origin = span(x);
                p.batch_size.note = "the whole tensor in each step";
            }
            return;
        }
    }
    // Batches come from something not followed (a loader defined elsewhere, a generator).
    std::string why = cat({"the batches come from ", quoted(cx_.src, it), ", which is not followed"});
    if (!p.batch_size.known() && p.batch_size.note.empty())
        p.batch_size = unknown_value<int64_t>(span(it), why);
    if (!p.data.source.known() && p.data.source.note.empty())
        p.data.source = unknown_value<std::string>(span(it), why);
    fill_data_fallback(cx_);
}

void TorchReader::run() {
    model_ = find_model();
    if (null(model_)) {
        cx_.note(cx_.root, "no PyTorch model (nn.Sequential or nn.Module subclass) found", true);
    } else {
        cx_.prog.model_span = span(model_);
        TSNode def = cx_.scope.definition(dotted(cx_.src, field(model_, "function")));
        if (is(def, "class_definition")) {
            class_ = def;
            cx_.prog.model_span = span(def);
            read_module_class(def);
        } else if (last_part(cx_.ev.callee(model_)) == "Sequential") {
            read_sequential(model_);
        } else {
            cx_.note(model_, cat({"the model ", quoted(cx_.src, model_), " is not read"}), true);
        }
    }
    // in_features declares the input width of the first layer only; the others follow from the network.
    for (size_t k = 1; k < cx_.prog.layers.size(); ++k)
        cx_.prog.layers[k].input_shape.clear();
    read_optimizer();
    read_loss();
    read_loop();
    if (cx_.prog.data.input_shape.empty() && !cx_.prog.layers.empty())
        cx_.prog.data.input_shape = cx_.prog.layers.front().input_shape;
}

} // namespace

void extract_pytorch(Context& cx) {
    TorchReader reader(cx);
    reader.run();
}

} // namespace faultline
