// How a Keras model's layers are assembled: Sequential lists and comprehensions, add calls (also in loops and
// in the script's helpers), the functional API, subclassed models.
#include "keras_reader.h"
#include "names.h"

#include <algorithm>

namespace faultline::keras {

using namespace syntax;

void KerasReader::read_sequential(TSNode seq) {
    Args args = call_args(cx_.src, seq);
    TSNode list = cx_.ev.object_of(arg(args, 0, {"layers"}));
    std::vector<TSNode> items;
    if (!null(list)) {
        if (layer_list(list, items)) {
            for (TSNode item : items)
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

bool KerasReader::layer_list(TSNode expr, std::vector<TSNode>& items, int depth) const {
    TSNode list = cx_.ev.object_of(expr);
    if (depth > 64) return false;
    if (is(list, "list") || is(list, "tuple")) {
        for (TSNode item : named_children(list))
            items.push_back(item);
        return true;
    }
    if (is(list, "binary_operator") && text(cx_.src, field(list, "operator")) == "+")
        return layer_list(field(list, "left"), items, depth + 1) &&
               layer_list(field(list, "right"), items, depth + 1);
    return false;
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
        cx_.assume(field(loop, "condition"), "one iteration of the while loop that adds layers");
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
        cx_.assume(field(loop, "right"),
                   cat({"one iteration of the loop over ", quoted(cx_.src, field(loop, "right")),
                        " that adds layers: the number of iterations is not known"}));
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
    std::vector<TSNode> returns = return_statements(field(call, "body"));
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

namespace {

// Merge layers and their functional spellings (`layers.add([x, y])`, `Concatenate()([a, b])`).
bool is_merge(std::string_view name) {
    static const char* const kMerges[] = {"add",      "Add",     "concatenate", "Concatenate", "multiply",
                                          "Multiply", "average", "Average",     "maximum",     "Maximum",
                                          "minimum",  "Minimum", "subtract",    "Subtract"};
    return std::find(std::begin(kMerges), std::end(kMerges), name) != std::end(kMerges);
}

} // namespace

TSNode KerasReader::merge_branch(TSNode merge, TSNode inputs) {
    TSNode list = cx_.ev.object_of(inputs);
    auto items = is(list, "list") || is(list, "tuple") ? named_children(list) : std::vector<TSNode>{};
    if (items.empty()) return TSNode{};
    cx_.assume(merge, cat({quoted(cx_.src, merge), " passes its first input ", quoted(cx_.src, items[0]),
                           " through: the other branches are left out of the probe"}));
    return items[0];
}

void KerasReader::read_functional(TSNode model_call) {
    Args args = call_args(cx_.src, model_call);
    TSNode out = arg(args, 1, {"outputs", "output"});
    if (null(out)) {
        cx_.note(model_call, "Model(...) without outputs", true);
        return;
    }
    struct Step {
        TSNode ctor; // a layer constructor, or a functional sub-model's Model(...) call
        bool submodel = false;
    };
    std::vector<Step> chain; // last first
    TSNode cur = out;
    for (int steps = 0; steps < 1000; ++steps) {
        cur = unwrap(cur);
        if (is(cur, "list") || is(cur, "tuple")) {
            // Several outputs: the probe trains the first.
            auto items = named_children(cur);
            if (items.empty()) break;
            if (items.size() > 1)
                cx_.assume(cur, cat({"the model's first output ", quoted(cx_.src, items[0]),
                                     " is the one trained: the others are left out of the probe"}));
            cur = items[0];
            continue;
        }
        if (is(cur, "identifier")) {
            // `x += shortcut`: a residual sum; the main path is the value `x` had before it.
            const Binding* b = cx_.scope.lookup(cur);
            if (b && b->kind == Binding::Kind::Assign && b->path.size() == 1 && b->path.front() == 0 &&
                is(unwrap(b->value), "call")) {
                // `outputs, h, c = LSTM(n, return_state=True)(x, initial_state=states)`: the layer's output.
                TSNode applied = unwrap(b->value);
                TSNode state = arg(call_args(cx_.src, applied), -1, {"initial_state"});
                if (!null(state))
                    cx_.assume(state, cat({"the initial state ", quoted(cx_.src, state),
                                           " is zeros: the branch computing it is left out of the probe"}));
                cur = applied;
                continue;
            }
            if (b && b->kind == Binding::Kind::AugAssign) {
                cx_.assume(b->stmt, cat({quoted(cx_.src, b->stmt), " passes ", quoted(cx_.src, b->target),
                                         " through: the other branch is left out of the probe"}));
                cur = b->target;
                continue;
            }
        }
        TSNode obj = cx_.ev.object_of(cur);
        if (is(obj, "binary_operator")) {
            // `x + shortcut`: the same as an add merge.
            cx_.assume(obj, cat({quoted(cx_.src, obj), " passes ", quoted(cx_.src, field(obj, "left")),
                                 " through: the other branch is left out of the probe"}));
            cur = field(obj, "left");
            continue;
        }
        if (!is(obj, "call")) {
            cx_.note(cur, cat({"cannot follow the model graph through ", quoted(cx_.src, cur), ""}), true);
            break;
        }
        TSNode fn = unwrap(field(obj, "function"));
        TSNode ctor = is(fn, "call") ? fn : cx_.ev.object_of(fn);
        Args applied = call_args(cx_.src, obj);
        std::string ctor_name = is(ctor, "call") ? std::string(last_part(cx_.ev.callee(ctor))) : "";
        if (is(ctor, "call") && is_merge(ctor_name)) {
            // `Add()([x, y])`.
            cur = merge_branch(obj, arg(applied, 0, {"inputs"}));
            if (null(cur)) break;
            continue;
        }
        if (is(ctor, "call") && ctor_name == "Model" && submodel_depth_ < 8) {
            // A functional sub-model applied as a layer (`decoder(encoder(inputs))`).
            chain.push_back({ctor, true});
            cur = arg(applied, 0, {"inputs"});
            if (null(cur)) break;
            continue;
        }
        if (is(ctor, "call") && !is(fn, "attribute") && !is(fn, "identifier")) {
            // `Dense(10)(x)`: a layer applied to a tensor.
        } else if (is(ctor, "call") && is(fn, "identifier") &&
                   (keras_layer_kind(ctor_name).has_value() ||
                    (!ctor_name.empty() && ctor_name[0] >= 'A' && ctor_name[0] <= 'Z'))) {
            // `d = Dense(10)` ... `d(x)`.
        } else {
            std::string name(last_part(cx_.ev.callee(obj)));
            if (is_merge(name)) {
                cur = merge_branch(obj, arg(applied, 0, {"inputs"}));
                if (null(cur)) break;
                continue;
            }
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
                              ", which is not a layer call"}),
                         true);
            }
            break;
        }
        chain.push_back({ctor});
        cur = arg(applied, 0, {"inputs"});
        if (null(cur)) break;
        if (is(unwrap(cur), "list")) {
            cx_.note(cur, "a layer with several inputs: merges are not followed", true);
            break;
        }
    }
    std::reverse(chain.begin(), chain.end());
    for (const Step& step : chain) {
        if (step.submodel) {
            // The sub-model's own Input only sizes the network when nothing comes before it.
            std::vector<int64_t> outer = functional_input_;
            ++submodel_depth_;
            read_functional(step.ctor);
            --submodel_depth_;
            functional_input_ = outer;
            continue;
        }
        if (auto layer = read_layer(step.ctor)) cx_.prog.layers.push_back(std::move(*layer));
    }
    if (!cx_.prog.layers.empty() && cx_.prog.layers.front().input_shape.empty())
        cx_.prog.layers.front().input_shape = functional_input_;
}

} // namespace faultline::keras
