// Keras and tf.keras: the model (Sequential, model.add, the functional API), compile() and fit().
#include "defaults.h"
#include "extract.h"
#include "names.h"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace faultline {

using namespace syntax;

namespace {

bool contains(TSNode outer, TSNode inner) {
    return ts_node_start_byte(inner) >= ts_node_start_byte(outer) &&
           ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

bool is_model_class(std::string_view name) {
    return name == "Sequential" || name == "Model";
}

// Return statements of a function body, not of nested functions.
void collect_returns(TSNode n, std::vector<TSNode>& out) {
    std::vector<TSNode> stack{n};
    while (!stack.empty()) {
        TSNode cur = stack.back();
        stack.pop_back();
        auto kids = named_children(cur);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
            if (is(*it, "function_definition") || is(*it, "class_definition")) continue;
            if (is(*it, "return_statement"))
                out.push_back(*it);
            else
                stack.push_back(*it);
        }
    }
    // The stack visits in text order except across nesting levels; callers want text order.
    std::sort(out.begin(), out.end(),
              [](const TSNode& a, const TSNode& b) { return ts_node_start_byte(a) < ts_node_start_byte(b); });
}

class KerasReader {
public:
    explicit KerasReader(Context& cx) : cx_(cx), fw_(cx.prog.framework) {}

    void run();

private:
    TSNode model_creation(TSNode expr) const;
    TSNode training_call(std::initializer_list<std::string_view> methods, TSNode model) const;
    void read_sequential(TSNode seq);
    struct Site {
        TSNode node;     // the add call, or a helper's call site
        TSNode helper{}; // the helper's definition for a call site
    };
    void read_sites(const std::vector<Site>& sites, TSNode floor);
    void read_add(TSNode add_call);
    // `[Dense(n) for n in sizes]`: the body once per item of a known sequence.
    void read_comprehension(TSNode comp);
    void read_helper(TSNode site, TSNode def);
    // The outermost loop around `call` that starts after the model is created (layers added in a loop).
    TSNode loop_around(TSNode call, TSNode model) const;
    void unroll(TSNode loop, const std::function<void()>& body);
    void read_functional(TSNode model_call);
    // `class Net(keras.Model)` instantiated by `call`: the class, or null.
    TSNode subclass_of(TSNode call) const;
    // Layers built in __init__ (`self.d1 = layers.Dense(...)`), in the order call() applies them.
    void read_subclass(TSNode cls);
    void walk_call(TSNode expr, const std::unordered_map<std::string, TSNode>& attrs, int depth);
    std::optional<Layer> read_layer(TSNode expr);
    Value<std::string> read_activation(TSNode expr) const;
    void read_initializer(Layer& layer, TSNode expr, bool bias) const;
    void read_regularizer(Layer& layer, TSNode expr) const;
    std::vector<int64_t> read_shape(TSNode expr) const;
    void read_compile(TSNode call);
    void read_optimizer(TSNode expr);
    void read_loss(TSNode expr);
    void read_fit(TSNode call);
    Value<double> param(TSNode expr) const { return cx_.number(expr); }
    void set_pair(Layer& layer, const char* first, const char* second, TSNode expr) const;

    Context& cx_;
    Framework fw_;
    // K.set_image_dim_ordering('th') / set_image_data_format('channels_first'): the script-wide default.
    bool channels_first_default_ = false;
    std::vector<int64_t> functional_input_;
};

TSNode KerasReader::model_creation(TSNode expr) const {
    TSNode obj = cx_.ev.object_of(expr);
    for (int hops = 0; hops < 8 && is(obj, "call"); ++hops) {
        std::string name(last_part(cx_.ev.callee(obj)));
        if (is_model_class(name) || !null(subclass_of(obj))) return obj;
        // `model = build_model()`: the model is what the function returns.
        TSNode def = cx_.scope.definition(dotted(cx_.src, field(obj, "function")));
        if (!is(def, "function_definition")) break;
        std::vector<TSNode> returns;
        collect_returns(field(def, "body"), returns);
        if (returns.empty()) break;
        auto kids = named_children(returns.back());
        if (kids.empty()) break;
        obj = cx_.ev.object_of(kids[0]);
    }
    return TSNode{};
}

// The last call `<model>.<method>(...)` on the model (any model when `model` is null).
TSNode KerasReader::training_call(std::initializer_list<std::string_view> methods, TSNode model) const {
    TSNode found{};
    for (const CallSite& c : cx_.scope.calls()) {
        if (std::find(methods.begin(), methods.end(), c.method) == methods.end()) continue;
        TSNode recv = receiver(c.call);
        if (null(recv)) continue;
        TSNode m = model_creation(recv);
        if (null(m)) continue;
        if (!null(model) && !ts_node_eq(m, model)) continue;
        found = c.call;
    }
    return found;
}

void KerasReader::run() {
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "set_image_dim_ordering" && c.method != "set_image_data_format") continue;
        Val v = cx_.ev.eval(arg(call_args(cx_.src, c.call), 0, {"dim_ordering", "data_format"}));
        if (v.kind == Val::Kind::Str) channels_first_default_ = v.s == "th" || v.s == "channels_first";
    }
    TSNode fit = training_call({"fit", "fit_generator", "train_on_batch"}, TSNode{});
    TSNode model = null(fit) ? TSNode{} : model_creation(receiver(fit));
    if (null(model)) {
        TSNode compile = training_call({"compile"}, TSNode{});
        if (!null(compile)) model = model_creation(receiver(compile));
    }
    if (null(model)) {
        for (const CallSite& c : cx_.scope.calls()) {
            if (is_model_class(last_part(cx_.scope.qualify(c.callee))) &&
                cx_.scope.qualify(c.callee).find("keras") != std::string::npos) {
                model = c.call;
                break;
            }
        }
    }
    if (null(model)) {
        cx_.note(cx_.root, "no Keras model (Sequential or Model) found", true);
    } else if (TSNode cls = subclass_of(model); !null(cls)) {
        cx_.prog.model_span = span(cls);
        read_subclass(cls);
    } else {
        cx_.prog.model_span = span(model);
        if (last_part(cx_.ev.callee(model)) == "Sequential")
            read_sequential(model);
        else
            read_functional(model);
    }
    TSNode compile = training_call({"compile"}, model);
    if (null(compile))
        cx_.note(null(model) ? cx_.root : model, "model.compile(...) not found");
    else
        read_compile(compile);
    if (null(fit)) fit = training_call({"fit", "fit_generator", "train_on_batch"}, model);
    if (null(fit)) {
        cx_.note(null(model) ? cx_.root : model, "model.fit(...) not found");
        fill_data_fallback(cx_);
    } else {
        read_fit(fit);
    }
    // The network sees the shape its first layer declares; the data's shape is the fallback.
    if (!cx_.prog.layers.empty() && !cx_.prog.layers.front().input_shape.empty())
        cx_.prog.data.input_shape = cx_.prog.layers.front().input_shape;
}

void KerasReader::read_sequential(TSNode seq) {
    Args args = call_args(cx_.src, seq);
    TSNode list = cx_.ev.object_of(arg(args, 0, {"layers"}));
    if (!null(list)) {
        if (is(list, "list") || is(list, "tuple")) {
            for (TSNode item : named_children(list))
                if (auto layer = read_layer(item)) cx_.prog.layers.push_back(std::move(*layer));
        } else if (is(list, "list_comprehension")) {
            read_comprehension(list);
        } else {
            cx_.note(list, cat({"the layer list ", quoted(cx_.src, list), " is not a literal list"}), true);
        }
    }
    // Where layers are added: `model.add(...)` on this model, and calls of the script's helpers that add to
    // the model they are passed (`def block(m, n): m.add(Dense(n))` ... `block(model, 64)`).
    std::vector<Site> sites;
    std::unordered_map<const void*, std::pair<TSNode, const Binding*>> helpers; // def id -> def, model param
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "add") continue;
        TSNode recv = unwrap(receiver(c.call));
        if (null(recv)) continue;
        if (ts_node_eq(cx_.ev.object_of(recv), seq)) {
            sites.push_back({c.call});
        } else if (is(recv, "identifier")) {
            const Binding* b = cx_.scope.lookup(recv);
            if (b && b->kind == Binding::Kind::Param) helpers[b->func.id] = {b->func, b};
        }
    }
    for (const auto& [id, helper] : helpers) {
        const auto& [def, param] = helper;
        int position = 0;
        for (TSNode p : named_children(field(def, "parameters"))) {
            if (ts_node_eq(p, param->stmt)) break;
            ++position;
        }
        std::string_view name = text(cx_.src, field(def, "name"));
        for (const CallSite& c : cx_.scope.calls()) {
            if (c.callee != name) continue;
            TSNode passed = arg(call_args(cx_.src, c.call), position, {text(cx_.src, param->target)});
            if (!null(passed) && ts_node_eq(cx_.ev.object_of(passed), seq)) sites.push_back({c.call, def});
        }
    }
    std::sort(sites.begin(), sites.end(), [](const Site& x, const Site& y) {
        return ts_node_start_byte(x.node) < ts_node_start_byte(y.node);
    });
    read_sites(sites, seq);
}

void KerasReader::read_comprehension(TSNode comp) {
    TSNode clause{};
    for (TSNode c : named_children(comp))
        if (is(c, "for_in_clause")) {
            if (!null(clause) || named_children(comp).size() != 2) {
                cx_.note(comp, "layer list comprehensions with several clauses or conditions are not read",
                         true);
                return;
            }
            clause = c;
        }
    Val items = cx_.ev.eval(field(clause, "right"));
    std::vector<Val> values = items.kind == Val::Kind::Seq ? items.items : std::vector<Val>{};
    if (items.kind == Val::Kind::Array)
        for (const auto& row : items.array->literal) {
            Val v;
            v.kind = Val::Kind::Int;
            v.i = static_cast<int64_t>(row.empty() ? 0 : row[0]);
            values.push_back(derived_value(std::move(v), field(clause, "right")));
        }
    if (values.empty() || values.size() > 1000) {
        cx_.note(comp, cat({"the layers of ", quoted(cx_.src, comp), " cannot be counted"}), true);
        return;
    }
    const Binding* var = nullptr;
    TSNode left = field(clause, "left");
    if (const auto* list = cx_.scope.bindings(text(cx_.src, left)))
        for (const Binding& b : *list)
            if (ts_node_eq(b.stmt, clause)) var = &b;
    const Evaluator::Overrides saved = cx_.ev.overrides();
    for (const Val& v : values) {
        Evaluator::Overrides with_item = saved;
        if (var) with_item[var] = v;
        cx_.ev.set_overrides(std::move(with_item));
        if (auto layer = read_layer(field(comp, "body"))) cx_.prog.layers.push_back(std::move(*layer));
    }
    cx_.ev.set_overrides(saved);
}

void KerasReader::read_add(TSNode add_call) {
    Args add = call_args(cx_.src, add_call);
    if (auto layer = read_layer(arg(add, 0, {"layer"}))) cx_.prog.layers.push_back(std::move(*layer));
}

void KerasReader::read_helper(TSNode site, TSNode def) {
    // The helper's parameters stand for the call's arguments while its adds are read.
    auto saved = cx_.ev.overrides();
    Evaluator::Overrides inside = saved;
    Args args = call_args(cx_.src, site);
    int position = 0;
    for (TSNode p : named_children(field(def, "parameters"))) {
        TSNode name = is(p, "identifier") ? p : field(p, "name");
        int here = position++;
        if (!is(name, "identifier")) continue;
        TSNode given = arg(args, here, {text(cx_.src, name)});
        if (null(given)) continue;
        if (const auto* list = cx_.scope.bindings(text(cx_.src, name)))
            for (const Binding& b : *list)
                if (b.kind == Binding::Kind::Param && ts_node_eq(b.func, def))
                    inside[&b] = cx_.ev.eval(given);
    }
    cx_.ev.set_overrides(inside);
    std::vector<Site> adds;
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "add" || !contains(def, c.call)) continue;
        TSNode recv = unwrap(receiver(c.call));
        const Binding* b = is(recv, "identifier") ? cx_.scope.lookup(recv) : nullptr;
        if (b && b->kind == Binding::Kind::Param && ts_node_eq(b->func, def)) adds.push_back({c.call});
    }
    read_sites(adds, def);
    cx_.ev.set_overrides(std::move(saved));
}

void KerasReader::read_sites(const std::vector<Site>& sites, TSNode floor) {
    auto read_site = [&](const Site& s) {
        if (null(s.helper))
            read_add(s.node);
        else
            read_helper(s.node, s.helper);
    };
    for (size_t i = 0; i < sites.size();) {
        TSNode loop = loop_around(sites[i].node, floor);
        if (null(loop)) {
            read_site(sites[i++]);
            continue;
        }
        size_t end = i;
        while (end < sites.size() && contains(loop, sites[end].node))
            ++end;
        unroll(loop, [&] {
            for (size_t k = i; k < end; ++k)
                read_site(sites[k]);
        });
        i = end;
    }
}

TSNode KerasReader::loop_around(TSNode call, TSNode model) const {
    TSNode func = cx_.scope.enclosing(call, "function_definition");
    uint32_t floor = std::max(ts_node_start_byte(model), null(func) ? 0u : ts_node_start_byte(func));
    TSNode outer{};
    for (TSNode loop : cx_.scope.loops_around(call))
        if (ts_node_start_byte(loop) > floor) outer = loop;
    return outer;
}

void KerasReader::unroll(TSNode loop, const std::function<void()>& body) {
    if (is(loop, "while_statement")) {
        cx_.note(loop, "layers added in a while loop are read once", true);
        body();
        return;
    }
    Val it = cx_.ev.eval(field(loop, "right"));
    std::vector<Val> items;
    if (it.kind == Val::Kind::Seq) {
        items = it.items;
    } else if (it.kind == Val::Kind::Array && !it.array->literal.empty()) {
        for (const auto& row : it.array->literal) {
            Val v;
            v.kind = Val::Kind::Int;
            v.i = static_cast<int64_t>(row.empty() ? 0 : row[0]);
            items.push_back(derived_value(std::move(v), field(loop, "right")));
        }
    }
    if (items.empty() || items.size() > 1000) {
        cx_.note(loop,
                 cat({"layers added in the loop over ", quoted(cx_.src, field(loop, "right")),
                      " are read once: the number of iterations is not known"}),
                 true);
        body();
        return;
    }
    // The loop variable's binding, forced to each item in turn.
    const Binding* var = nullptr;
    TSNode target = field(loop, "left");
    if (is(target, "identifier"))
        if (const auto* list = cx_.scope.bindings(text(cx_.src, target)))
            for (const Binding& b : *list)
                if (ts_node_eq(b.stmt, loop)) var = &b;
    const Evaluator::Overrides saved = cx_.ev.overrides();
    for (const Val& item : items) {
        Evaluator::Overrides with_item = saved;
        if (var) with_item[var] = item;
        cx_.ev.set_overrides(std::move(with_item));
        body();
    }
    cx_.ev.set_overrides(saved);
}

TSNode KerasReader::subclass_of(TSNode call) const {
    TSNode def = cx_.scope.definition(dotted(cx_.src, field(call, "function")));
    if (!is(def, "class_definition")) return TSNode{};
    for (TSNode base : named_children(field(def, "superclasses")))
        if (last_part(cx_.scope.qualify(dotted(cx_.src, base))) == "Model") return def;
    return TSNode{};
}

void KerasReader::read_subclass(TSNode cls) {
    TSNode init{}, call{};
    for (TSNode item : named_children(field(cls, "body"))) {
        TSNode def = is(item, "decorated_definition") ? field(item, "definition") : item;
        if (!is(def, "function_definition")) continue;
        std::string_view name = text(cx_.src, field(def, "name"));
        if (name == "__init__") init = def;
        if (name == "call") call = def;
    }
    std::unordered_map<std::string, TSNode> attrs;
    std::vector<TSNode> stack{field(init, "body")};
    while (!stack.empty()) {
        TSNode n = stack.back();
        stack.pop_back();
        for (TSNode c : named_children(n)) {
            TSNode left = field(c, "left");
            if (is(c, "assignment") && is(left, "attribute") &&
                text(cx_.src, field(left, "object")) == "self")
                attrs[std::string(text(cx_.src, field(left, "attribute")))] = field(c, "right");
            else if (!is(c, "function_definition"))
                stack.push_back(c);
        }
    }
    std::vector<TSNode> returns;
    stack = {field(call, "body")};
    while (!stack.empty()) {
        TSNode n = stack.back();
        stack.pop_back();
        for (TSNode c : named_children(n)) {
            if (is(c, "return_statement"))
                returns.push_back(c);
            else if (!is(c, "function_definition"))
                stack.push_back(c);
        }
    }
    if (returns.empty() || named_children(returns.back()).empty()) {
        cx_.note(cls, "the model class has no call() that returns its output: layer order unknown", true);
        return;
    }
    walk_call(named_children(returns.back())[0], attrs, 0);
}

// Appends the layers producing `expr` in call(), in forward order; stops at call()'s input.
void KerasReader::walk_call(TSNode expr, const std::unordered_map<std::string, TSNode>& attrs, int depth) {
    expr = unwrap(expr);
    if (depth > 200 || null(expr)) return;
    if (is(expr, "identifier")) {
        const Binding* b = cx_.scope.lookup(expr);
        if (!b || b->kind == Binding::Kind::Param) return;
        if (b->kind == Binding::Kind::Assign && b->path.empty())
            walk_call(b->value, attrs, depth + 1);
        else
            cx_.note(expr, cat({"cannot follow ", quoted(cx_.src, expr), " in call()"}), true);
        return;
    }
    if (!is(expr, "call")) {
        cx_.note(expr, cat({"call() goes through ", quoted(cx_.src, expr), ", which is not followed"}), true);
        return;
    }
    TSNode fn = unwrap(field(expr, "function"));
    Args a = call_args(cx_.src, expr);
    TSNode input = a.positional.empty() ? TSNode{} : a.positional[0];
    if (is(fn, "attribute") && text(cx_.src, field(fn, "object")) == "self") {
        walk_call(input, attrs, depth + 1);
        auto it = attrs.find(std::string(text(cx_.src, field(fn, "attribute"))));
        if (it == attrs.end()) {
            cx_.note(expr, cat({quoted(cx_.src, fn), " is not built in __init__"}), true);
            return;
        }
        if (auto layer = read_layer(it->second)) {
            layer->span = span(expr);
            cx_.prog.layers.push_back(std::move(*layer));
        }
        return;
    }
    // tf.nn.relu(x) and the like between layers.
    std::string q = cx_.ev.callee(expr);
    if (auto act = activation_name(last_part(q)); act && q.find("tensorflow") == 0) {
        walk_call(input, attrs, depth + 1);
        Layer l;
        l.kind = "Activation";
        l.span = span(expr);
        l.activation.value = *act;
        l.activation.kind = OriginKind::Literal;
        l.activation.origin = span(fn);
        l.activation.literal = span(fn);
        cx_.prog.layers.push_back(std::move(l));
        return;
    }
    cx_.note(expr, cat({"call() goes through ", quoted(cx_.src, expr), ", which is not followed"}), true);
}

void KerasReader::read_functional(TSNode model_call) {
    Args args = call_args(cx_.src, model_call);
    TSNode out = arg(args, 1, {"outputs", "output"});
    if (null(out)) {
        cx_.note(model_call, "Model(...) without outputs", true);
        return;
    }
    std::vector<TSNode> chain; // layer constructors, last first
    TSNode cur = out;
    for (int steps = 0; steps < 1000; ++steps) {
        TSNode obj = cx_.ev.object_of(cur);
        if (!is(obj, "call")) {
            cx_.note(cur, cat({"cannot follow the model graph through ", quoted(cx_.src, cur), ""}), true);
            break;
        }
        TSNode fn = unwrap(field(obj, "function"));
        TSNode ctor = is(fn, "call") ? fn : cx_.ev.object_of(fn);
        if (is(ctor, "call") && !is(fn, "attribute") && !is(fn, "identifier")) {
            // `Dense(10)(x)`: a layer applied to a tensor.
        } else if (is(ctor, "call") && is(fn, "identifier") &&
                   keras_layer_kind(last_part(cx_.ev.callee(ctor))).has_value()) {
            // `d = Dense(10)` ... `d(x)`.
        } else {
            std::string name(last_part(cx_.ev.callee(obj)));
            if (name == "Input" || name == "InputLayer") {
                Args in = call_args(cx_.src, obj);
                TSNode batch = arg(in, -1, {"batch_shape", "batch_input_shape"});
                if (!null(batch)) {
                    functional_input_ = read_shape(batch);
                    if (!functional_input_.empty()) functional_input_.erase(functional_input_.begin());
                } else {
                    functional_input_ = read_shape(arg(in, 0, {"shape", "input_shape"}));
                }
            } else {
                cx_.note(obj,
                         cat({"the model graph goes through ", quoted(cx_.src, obj),
                              ", which is not a layer call (branches and merges are not followed)"}),
                         true);
            }
            break;
        }
        chain.push_back(ctor);
        Args applied = call_args(cx_.src, obj);
        cur = arg(applied, 0, {"inputs"});
        if (null(cur)) break;
        if (is(unwrap(cur), "list")) {
            cx_.note(cur, "a layer with several inputs: merges are not followed", true);
            break;
        }
    }
    std::reverse(chain.begin(), chain.end());
    for (TSNode ctor : chain)
        if (auto layer = read_layer(ctor)) cx_.prog.layers.push_back(std::move(*layer));
    if (!cx_.prog.layers.empty() && cx_.prog.layers.front().input_shape.empty())
        cx_.prog.layers.front().input_shape = functional_input_;
}

std::vector<int64_t> KerasReader::read_shape(TSNode expr) const {
    std::vector<int64_t> shape;
    if (null(expr)) return shape;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Int) return {v.i};
    if (v.kind != Val::Kind::Seq) return shape;
    for (const Val& d : v.items)
        shape.push_back(d.kind == Val::Kind::Int ? d.i : -1);
    return shape;
}

Value<std::string> KerasReader::read_activation(TSNode expr) const {
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Str || v.kind == Val::Kind::None) {
        auto name = v.kind == Val::Kind::None ? std::optional<std::string>("linear") : activation_name(v.s);
        if (name) return from_val<std::string>(v, *name);
        return unknown_value<std::string>(span(expr), "activation '" + v.s + "' is not known");
    }
    TSNode obj = cx_.ev.object_of(expr);
    std::string name = is(obj, "call") ? cx_.ev.callee(obj) : cx_.scope.qualify(dotted(cx_.src, obj));
    if (auto canonical = activation_name(last_part(name))) {
        Value<std::string> out;
        out.value = *canonical;
        out.kind = OriginKind::Literal;
        out.origin = span(obj);
        out.literal = span(obj);
        if (!ts_node_eq(obj, unwrap(expr))) out.uses.push_back(span(expr));
        return out;
    }
    if (cx_.scope.definition(dotted(cx_.src, obj)).id)
        return unknown_value<std::string>(span(expr),
                                          cat({"custom activation function ", quoted(cx_.src, obj), ""}));
    return unknown_value<std::string>(span(expr),
                                      cat({"activation ", quoted(cx_.src, expr), " is not known"}));
}

void KerasReader::read_initializer(Layer& layer, TSNode expr, bool bias) const {
    Value<std::string>& target = bias ? layer.bias_initializer : layer.kernel_initializer;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Str) {
        if (auto name = initializer_name(v.s))
            target = from_val<std::string>(v, *name);
        else
            target = unknown_value<std::string>(span(expr), "initializer '" + v.s + "' is not known");
        return;
    }
    TSNode obj = cx_.ev.object_of(expr);
    std::string full = is(obj, "call") ? cx_.ev.callee(obj) : cx_.scope.qualify(dotted(cx_.src, obj));
    auto name = initializer_name(snake_case(last_part(full)));
    if (!name) {
        target = unknown_value<std::string>(span(expr),
                                            cat({"initializer ", quoted(cx_.src, expr), " is not known"}));
        return;
    }
    target.value = *name;
    target.kind = OriginKind::Literal;
    target.origin = span(obj);
    target.literal = span(obj);
    if (!ts_node_eq(obj, unwrap(expr))) target.uses.push_back(span(expr));
    if (!is(obj, "call")) return;
    Args a = call_args(cx_.src, obj);
    std::string prefix = bias ? "bias_init_" : "init_";
    auto put = [&](const char* key, TSNode n) {
        if (!null(n)) layer.params[prefix + key] = param(n);
    };
    if (*name == "random_normal" || *name == "truncated_normal") {
        put("mean", arg(a, 0, {"mean"}));
        put("stddev", arg(a, 1, {"stddev"}));
    } else if (*name == "random_uniform") {
        put("minval", arg(a, 0, {"minval"}));
        put("maxval", arg(a, 1, {"maxval"}));
    } else if (*name == "constant") {
        put("value", arg(a, 0, {"value"}));
    }
}

void KerasReader::read_regularizer(Layer& layer, TSNode expr) const {
    TSNode obj = cx_.ev.object_of(expr);
    if (!is(obj, "call")) return;
    std::string name(last_part(cx_.ev.callee(obj)));
    Args a = call_args(cx_.src, obj);
    if (name == "l2" || name == "L2")
        layer.params["l2"] = param(arg(a, 0, {"l2", "l"}));
    else if (name == "l1" || name == "L1")
        layer.params["l1"] = param(arg(a, 0, {"l1", "l"}));
    else if (name == "l1_l2" || name == "L1L2") {
        TSNode l1 = arg(a, 0, {"l1"});
        TSNode l2 = arg(a, 1, {"l2"});
        if (!null(l1)) layer.params["l1"] = param(l1);
        if (!null(l2)) layer.params["l2"] = param(l2);
    }
}

void KerasReader::set_pair(Layer& layer, const char* first, const char* second, TSNode expr) const {
    if (null(expr)) return;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Seq && v.items.size() >= 1) {
        auto one = [&](const Val& item) {
            if (!item.is_number()) return unknown_value<double>(span(expr), "not a number");
            Val copy = item;
            if (!copy.derived && !copy.literal) copy.origin = span(expr);
            return from_val<double>(copy, item.number());
        };
        layer.params[first] = one(v.items[0]);
        if (v.items.size() >= 2) layer.params[second] = one(v.items[1]);
        return;
    }
    layer.params[first] = param(expr);
    layer.params[second] = param(expr);
}

std::optional<Layer> KerasReader::read_layer(TSNode expr) {
    std::vector<Span> uses;
    TSNode call = cx_.ev.object_of(expr, &uses);
    if (!is(call, "call")) {
        cx_.note(expr, cat({"layer ", quoted(cx_.src, expr), " cannot be followed"}), true);
        return std::nullopt;
    }
    std::string cls(last_part(cx_.ev.callee(call)));
    if (cls == "InputLayer" || cls == "Input") {
        Args in = call_args(cx_.src, call);
        functional_input_ = read_shape(arg(in, -1, {"input_shape", "shape"}));
        return std::nullopt;
    }
    auto kind = keras_layer_kind(cls);
    if (!kind) {
        cx_.note(call,
                 cls.empty() ? cat({"layer ", quoted(cx_.src, call), " is not supported"})
                             : cat({"layer `", cls, "` is not supported"}),
                 true);
        return std::nullopt;
    }
    Layer layer;
    layer.kind = *kind;
    layer.span = span(call);
    Args a = call_args(cx_.src, call);
    if (a.has_splat) cx_.note(call, "layer arguments passed through *args/**kwargs are not read");
    const std::string& k = layer.kind;
    bool conv = k == "Conv1D" || k == "Conv2D";
    bool rnn = k == "SimpleRNN" || k == "LSTM" || k == "GRU";
    bool pool = k.find("Pooling") != std::string::npos && k.find("Global") == std::string::npos;

    if (k == "Dense" || rnn) {
        layer.units = cx_.integer(arg(a, 0, {"units", "output_dim"}), "units not given");
    } else if (conv) {
        layer.units = cx_.integer(arg(a, 0, {"filters", "nb_filter"}), "filters not given");
        bool old_conv2d = cls == "Convolution2D" && a.positional.size() >= 3;
        if (k == "Conv2D" && (old_conv2d || !null(arg(a, -1, {"nb_row"})))) {
            layer.params["kernel_size"] = param(arg(a, 1, {"nb_row"}));
            layer.params["kernel_size2"] = param(arg(a, 2, {"nb_col"}));
        } else {
            TSNode ks = arg(a, 1, {"kernel_size", "filter_length"});
            if (k == "Conv2D")
                set_pair(layer, "kernel_size", "kernel_size2", ks);
            else if (!null(ks))
                layer.params["kernel_size"] = param(ks);
        }
        TSNode strides = arg(a, old_conv2d ? -1 : 2, {"strides", "subsample", "subsample_length"});
        if (!null(strides)) set_pair(layer, "strides", "strides2", strides);
    } else if (k == "Embedding") {
        TSNode in = arg(a, 0, {"input_dim"});
        if (!null(in)) layer.params["input_dim"] = param(in);
        layer.units = cx_.integer(arg(a, 1, {"output_dim"}), "output_dim not given");
        TSNode len = arg(a, -1, {"input_length"});
        Val lv = cx_.ev.eval(len);
        if (lv.kind == Val::Kind::Int) layer.input_shape = {lv.i};
    } else if (k == "Dropout") {
        layer.params["rate"] = param(arg(a, 0, {"rate", "p"}));
    } else if (pool) {
        TSNode ps = arg(a, 0, {"pool_size", "pool_length"});
        if (null(ps))
            layer.params["pool_size"] = default_value(2.0, span(call), "Keras default pool size 2");
        else
            set_pair(layer, "pool_size", "pool_size2", ps);
        TSNode strides = arg(a, 1, {"strides", "stride"});
        if (!null(strides)) set_pair(layer, "strides", "strides2", strides);
    } else if (k == "Reshape") {
        layer.target_shape = read_shape(arg(a, 0, {"target_shape", "dims"}));
    } else if (k == "Bidirectional" || k == "TimeDistributed") {
        if (auto inner = read_layer(arg(a, 0, {"layer"}))) {
            // The wrapper outputs what its inner layer outputs.
            layer.activation = inner->activation;
            layer.units = inner->units;
            layer.inner.push_back(std::move(*inner));
        }
    } else if (k == "LeakyReLU" || k == "ELU") {
        TSNode alpha = arg(a, 0, {"alpha", "negative_slope"});
        layer.params["alpha"] =
            null(alpha) ? default_value(k == "ELU" ? 1.0 : 0.3, span(call)) : param(alpha);
    }

    // Activation: a keyword on most layers, the first argument of Activation, implied by activation layers.
    if (k == "Activation") {
        if (cls == "ReLU")
            layer.activation = from_val<std::string>(literal_value(Val{}, call), "relu");
        else
            layer.activation = read_activation(arg(a, 0, {"activation"}));
    } else if (k == "LeakyReLU" || k == "ELU" || k == "Softmax") {
        std::string act = k == "LeakyReLU" ? "leaky_relu" : k == "ELU" ? "elu" : "softmax";
        layer.activation = from_val<std::string>(literal_value(Val{}, call), act);
        layer.activation.literal.reset();
    } else if (k == "Dense" || conv || rnn) {
        TSNode act = arg(a, k == "Dense" ? 1 : -1, {"activation"});
        if (null(act)) {
            layer.activation = default_value(std::string(default_activation(k)), span(call),
                                             "no activation given: " + std::string(default_activation(k)));
        } else {
            layer.activation = read_activation(act);
        }
    }

    if (k == "Dense" || conv || rnn || k == "Embedding") {
        TSNode ki = arg(a, -1, {"kernel_initializer", "init", "embeddings_initializer"});
        if (null(ki))
            layer.kernel_initializer = default_value<std::string>(
                k == "Embedding" ? "random_uniform" : "glorot_uniform", span(call));
        else
            read_initializer(layer, ki, false);
        if (k != "Embedding") {
            TSNode bi = arg(a, -1, {"bias_initializer"});
            if (null(bi))
                layer.bias_initializer = default_value<std::string>("zeros", span(call));
            else
                read_initializer(layer, bi, true);
        }
        TSNode reg = arg(a, -1, {"kernel_regularizer", "W_regularizer"});
        if (!null(reg)) read_regularizer(layer, reg);
    }
    if (rnn) {
        TSNode rs = arg(a, -1, {"return_sequences"});
        Value<bool> b = cx_.boolean(rs);
        if (b.known())
            layer.params["return_sequences"] = from_val<double>(literal_value(Val{}, rs), *b ? 1.0 : 0.0);
    }
    TSNode padding = arg(a, -1, {"padding", "border_mode"});
    if (!null(padding)) {
        Val pv = cx_.ev.eval(padding);
        if (pv.kind == Val::Kind::Str) layer.padding = pv.s;
    } else if (conv || pool) {
        layer.padding = "valid";
    }
    TSNode fmt = arg(a, -1, {"data_format", "dim_ordering"});
    if (!null(fmt)) {
        Val fv = cx_.ev.eval(fmt);
        layer.channels_first = fv.kind == Val::Kind::Str && (fv.s == "channels_first" || fv.s == "th");
    } else if (conv || pool || k.find("Global") != std::string::npos) {
        layer.channels_first = channels_first_default_;
    }

    // Declared input shape.
    TSNode shape = arg(a, -1, {"input_shape"});
    TSNode batch_shape = arg(a, -1, {"batch_input_shape"});
    TSNode input_dim = arg(a, -1, {"input_dim"});
    if (!null(shape)) {
        layer.input_shape = read_shape(shape);
    } else if (!null(batch_shape)) {
        layer.input_shape = read_shape(batch_shape);
        if (!layer.input_shape.empty()) layer.input_shape.erase(layer.input_shape.begin());
    } else if (!null(input_dim) && k != "Embedding") {
        Value<int64_t> dim = cx_.integer(input_dim);
        layer.params["input_dim"] = param(input_dim);
        if (dim.known())
            layer.input_shape = {*dim};
        else
            cx_.note(input_dim, cat({"input_dim ", quoted(cx_.src, input_dim), ": ", dim.note}));
    }
    if (!functional_input_.empty() && layer.input_shape.empty() && cx_.prog.layers.empty()) {
        layer.input_shape = functional_input_;
        functional_input_.clear();
    }
    if (layer.units.kind == OriginKind::Unknown && (k == "Dense" || conv || rnn))
        cx_.note(call, k + " units: " + layer.units.note, true);
    return layer;
}

void KerasReader::read_compile(TSNode call) {
    cx_.prog.compile_call = span(call);
    Args a = call_args(cx_.src, call);
    TSNode opt = arg(a, 0, {"optimizer"});
    TSNode loss = arg(a, 1, {"loss"});
    if (null(opt)) {
        // compile() without an optimizer uses 'rmsprop'.
        Optimizer& o = cx_.prog.optimizer;
        o.call = span(call);
        o.name = default_value<std::string>("rmsprop", span(call), "compile() default optimizer");
        auto lr = default_lr(fw_, "rmsprop");
        if (lr) o.lr = default_value(*lr, span(call));
        o.lr_keyword = preferred_lr_keyword(fw_);
    } else {
        read_optimizer(opt);
    }
    if (null(loss))
        cx_.prog.loss.name = unknown_value<std::string>(span(call), "compile() without a loss");
    else
        read_loss(loss);
}

void KerasReader::read_optimizer(TSNode expr) {
    Optimizer& o = cx_.prog.optimizer;
    Val v = cx_.ev.eval(expr);
    std::string name;
    if (v.kind == Val::Kind::Str) {
        auto canonical = optimizer_name(v.s);
        o.written_as_string = true;
        o.call = v.origin;
        if (!canonical) {
            o.name = unknown_value<std::string>(span(expr), "optimizer '" + v.s + "' is not known");
            return;
        }
        name = *canonical;
        o.name = from_val<std::string>(v, name);
        o.lr_keyword = preferred_lr_keyword(fw_);
    } else {
        std::vector<Span> uses;
        TSNode call = cx_.ev.object_of(expr, &uses);
        std::string cls = is(call, "call") ? std::string(last_part(cx_.ev.callee(call))) : std::string();
        auto canonical = optimizer_name(cls.empty() ? last_part(dotted(cx_.src, call)) : cls);
        if (!canonical) {
            o.call = span(expr);
            o.name = unknown_value<std::string>(span(expr),
                                                cat({"optimizer ", quoted(cx_.src, expr), " is not known"}));
            cx_.note(expr, o.name.note);
            return;
        }
        name = *canonical;
        o.name.value = name;
        o.name.kind = OriginKind::Literal;
        o.name.origin = span(is(call, "call") ? field(call, "function") : call);
        o.name.literal = o.name.origin;
        o.name.uses = uses;
        o.call = span(call);
        if (is(call, "call")) {
            Args a = call_args(cx_.src, call);
            TSNode lr = arg(a, 0, {"lr", "learning_rate"});
            o.lr_keyword = preferred_lr_keyword(fw_);
            for (const auto& [kw, node] : a.keywords)
                if (kw == "lr" || kw == "learning_rate") o.lr_keyword = kw;
            if (!null(lr) && !a.positional.empty() && ts_node_eq(lr, a.positional[0])) o.lr_keyword = "";
            if (!null(lr)) {
                o.lr = cx_.number(lr);
                if (!o.lr.known()) {
                    TSNode sched = cx_.ev.object_of(lr);
                    if (is(sched, "call"))
                        o.lr.note = cat({"learning-rate schedule ", quoted(cx_.src, sched), ""});
                }
            }
            bool sgd = name == "sgd";
            TSNode momentum = arg(a, sgd ? 1 : -1, {"momentum"});
            TSNode decay = arg(a, sgd ? 2 : -1, {"decay"});
            TSNode nesterov = arg(a, sgd ? 3 : -1, {"nesterov"});
            if (!null(momentum)) o.momentum = cx_.number(momentum);
            if (!null(decay)) o.decay = cx_.number(decay);
            if (!null(nesterov)) o.nesterov = cx_.boolean(nesterov);
        }
    }
    if (!o.lr.known() && o.lr.note.empty()) {
        if (auto lr = default_lr(fw_, name))
            o.lr = default_value(*lr, o.call);
        else
            o.lr = unknown_value<double>(o.call, "no default learning rate for " + name);
    }
    if (name == "sgd" || name == "rmsprop") {
        if (!o.momentum.known() && o.momentum.note.empty()) o.momentum = default_value(0.0, o.call);
    }
    if (name == "sgd" && !o.nesterov.known() && o.nesterov.note.empty())
        o.nesterov = default_value(false, o.call);
    if (!o.decay.known() && o.decay.note.empty()) o.decay = default_value(0.0, o.call);
}

void KerasReader::read_loss(TSNode expr) {
    Loss& l = cx_.prog.loss;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Str) {
        l.written_as_string = true;
        l.call = v.origin;
        if (auto name = loss_name(v.s))
            l.name = from_val<std::string>(v, *name);
        else
            l.name = unknown_value<std::string>(span(expr), "loss '" + v.s + "' is not known");
        return;
    }
    std::vector<Span> uses;
    TSNode obj = cx_.ev.object_of(expr, &uses);
    l.call = span(obj);
    if (is(obj, "call")) {
        std::string cls(last_part(cx_.ev.callee(obj)));
        auto name = loss_name(cls);
        if (!name) name = loss_name(snake_case(cls));
        if (!name) {
            l.name =
                unknown_value<std::string>(span(obj), cat({"loss ", quoted(cx_.src, obj), " is not known"}));
            return;
        }
        l.name.value = *name;
        l.name.kind = OriginKind::Literal;
        l.name.origin = span(field(obj, "function"));
        l.name.literal = l.name.origin;
        l.name.uses = uses;
        Args a = call_args(cx_.src, obj);
        Value<bool> logits = cx_.boolean(arg(a, -1, {"from_logits"}));
        l.from_logits = logits.value_or(false);
        return;
    }
    std::string ref = dotted(cx_.src, obj);
    if (!ref.empty() && cx_.scope.definition(ref).id) {
        l.name = unknown_value<std::string>(span(expr), cat({"custom loss function `", ref, "`"}));
        return;
    }
    if (auto name = loss_name(last_part(ref))) {
        l.name.value = *name;
        l.name.kind = OriginKind::Literal;
        l.name.origin = span(obj);
        l.name.literal = span(obj);
        l.name.uses = uses;
        return;
    }
    l.name = unknown_value<std::string>(span(expr), cat({"loss ", quoted(cx_.src, expr), " is not known"}));
}

void KerasReader::read_fit(TSNode call) {
    TrainingProgram& p = cx_.prog;
    p.fit_call = span(call);
    Args a = call_args(cx_.src, call);
    std::string method = callee_name(cx_.src, call);
    bool generator = method == "fit_generator";
    TSNode epochs = arg(a, generator ? 2 : 3, {"epochs", "nb_epoch"});
    if (method == "train_on_batch") {
        p.epochs = unknown_value<int64_t>(span(call), "train_on_batch in a hand-written loop");
    } else if (null(epochs)) {
        p.epochs = default_value<int64_t>(kKerasDefaultEpochs, span(call), "fit() default epochs (Keras 2)");
    } else {
        p.epochs = cx_.integer(epochs);
    }
    TSNode x = arg(a, 0, {"x", "generator"});
    TSNode y = arg(a, 1, {"y"});
    // A generator (`datagen.flow(x, y, batch_size=32)`, also passed to fit in Keras >= 2.1) carries the data
    // and the batch size.
    TSNode gen = cx_.ev.object_of(x);
    bool flow = is(gen, "call") &&
                (callee_name(cx_.src, gen) == "flow" || callee_name(cx_.src, gen) == "flow_from_directory");
    if (flow && callee_name(cx_.src, gen) == "flow") {
        Args g = call_args(cx_.src, gen);
        x = arg(g, 0, {"x"});
        y = arg(g, 1, {"y"});
        TSNode bs = arg(g, 2, {"batch_size"});
        p.batch_size = null(bs) ? default_value<int64_t>(kKerasDefaultBatchSize, span(gen)) : cx_.integer(bs);
    } else if (generator || flow) {
        p.batch_size = unknown_value<int64_t>(span(call), "batch size is set by the generator");
        x = y = TSNode{};
    } else {
        TSNode bs = arg(a, 2, {"batch_size"});
        if (null(bs))
            p.batch_size =
                default_value<int64_t>(kKerasDefaultBatchSize, span(call), "fit() default batch size");
        else
            p.batch_size = cx_.integer(bs);
    }
    TSNode vs = arg(a, -1, {"validation_split"});
    if (!null(vs)) p.data.validation_split = cx_.number(vs).value_or(0.0);
    p.data.has_validation_data = !null(arg(a, -1, {"validation_data"}));
    if (null(x))
        fill_data_fallback(cx_);
    else
        fill_data(cx_, x, y);
}

} // namespace

void extract_keras(Context& cx) {
    KerasReader reader(cx);
    reader.run();
}

} // namespace faultline
