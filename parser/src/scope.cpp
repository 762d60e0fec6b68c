#include "scope.h"

#include "syntax.h"

#include <algorithm>

namespace faultline {

using namespace syntax;

Scope::Scope(std::string_view src, TSNode root) : src_(src) {
    walk(root, TSNode{});
}

void Scope::add(std::string name, Binding b) {
    auto& list = bindings_[std::move(name)];
    list.push_back(std::move(b));
    // Walk order is text order except for parameters bound at a function's body: keep each list sorted.
    for (size_t k = list.size() - 1; k > 0 && list[k - 1].pos > list[k].pos; --k)
        std::swap(list[k - 1], list[k]);
}

void Scope::bind_target(TSNode target, TSNode stmt, TSNode value, std::vector<int> path, Binding::Kind kind,
                        TSNode func) {
    target = unwrap(target);
    if (is(target, "identifier")) {
        Binding b;
        b.kind = kind;
        // A loop variable is in effect inside the loop body, an `as` name inside the with block.
        b.pos = kind == Binding::Kind::Loop && !null(value) ? ts_node_end_byte(value)
                : kind == Binding::Kind::With               ? ts_node_end_byte(target)
                                                            : ts_node_end_byte(stmt);
        b.stmt = stmt;
        b.target = target;
        b.value = value;
        b.path = std::move(path);
        b.func = func;
        add(std::string(text(src_, target)), std::move(b));
        return;
    }
    if (is(target, "pattern_list") || is(target, "tuple_pattern") || is(target, "list_pattern") ||
        is(target, "tuple") || is(target, "list")) {
        int index = 0;
        for (TSNode part : named_children(target)) {
            auto sub = path;
            sub.push_back(index++);
            bind_target(part, stmt, value, std::move(sub), kind, func);
        }
    }
}

void Scope::bind_import(TSNode stmt, TSNode func) {
    auto bind = [&](const std::string& local, const std::string& full, TSNode name_node) {
        import_alias_[local] = full;
        imports_.push_back(full);
        Binding b;
        b.kind = Binding::Kind::Import;
        b.pos = ts_node_end_byte(stmt);
        b.stmt = stmt;
        b.target = name_node;
        b.import = full;
        b.func = func;
        add(local, std::move(b));
    };
    if (is(stmt, "import_statement")) {
        for (TSNode n : named_children(stmt)) {
            if (is(n, "dotted_name")) {
                std::string full(text(src_, n));
                // `import a.b` binds `a`, and `a.b.x` then qualifies to itself.
                std::string first = full.substr(0, full.find('.'));
                bind(first, first, n);
                imports_.push_back(full);
            } else if (is(n, "aliased_import")) {
                bind(std::string(text(src_, field(n, "alias"))), std::string(text(src_, field(n, "name"))),
                     n);
            }
        }
        return;
    }
    // from X import a, b as c
    std::string module(text(src_, field(stmt, "module_name")));
    imports_.push_back(module);
    for (TSNode n : named_children(stmt)) {
        if (ts_node_start_byte(n) == ts_node_start_byte(field(stmt, "module_name"))) continue;
        if (is(n, "dotted_name")) {
            std::string name(text(src_, n));
            bind(name, module + "." + name, n);
        } else if (is(n, "aliased_import")) {
            bind(std::string(text(src_, field(n, "alias"))),
                 module + "." + std::string(text(src_, field(n, "name"))), n);
        }
    }
}

void Scope::bind_params(TSNode def) {
    TSNode params = field(def, "parameters");
    TSNode body = field(def, "body");
    for (TSNode p : named_children(params)) {
        TSNode name = p;
        TSNode value{};
        if (is(p, "default_parameter") || is(p, "typed_default_parameter")) {
            name = field(p, "name");
            value = field(p, "value");
        } else if (is(p, "typed_parameter")) {
            auto kids = named_children(p);
            name = kids.empty() ? TSNode{} : kids[0];
        }
        if (!is(name, "identifier")) continue;
        Binding b;
        b.kind = Binding::Kind::Param;
        b.pos = null(body) ? ts_node_end_byte(p) : ts_node_start_byte(body);
        b.stmt = p;
        b.target = name;
        b.value = value;
        b.func = def;
        add(std::string(text(src_, name)), std::move(b));
    }
}

void Scope::walk(TSNode n, TSNode func) {
    // An explicit stack: generated scripts nest deeply enough to matter for the C++ stack.
    struct Item {
        TSNode node;
        TSNode func;
    };
    std::vector<Item> stack{{n, func}};
    while (!stack.empty()) {
        Item item = stack.back();
        stack.pop_back();
        TSNode node = item.node;
        std::string_view t = type(node);
        TSNode f = item.func;
        if (t == "assignment") {
            TSNode right = field(node, "right");
            TSNode value = right;
            while (is(value, "assignment"))
                value = field(value, "right");
            if (!null(right)) bind_target(field(node, "left"), node, value, {}, Binding::Kind::Assign, f);
        } else if (t == "augmented_assignment") {
            TSNode left = field(node, "left");
            if (is(left, "identifier")) {
                Binding b;
                b.kind = Binding::Kind::AugAssign;
                b.pos = ts_node_end_byte(node);
                b.stmt = node;
                b.target = left;
                b.value = field(node, "right");
                b.op = std::string(text(src_, field(node, "operator")));
                b.func = f;
                add(std::string(text(src_, left)), std::move(b));
            }
        } else if (t == "import_statement" || t == "import_from_statement") {
            bind_import(node, f);
        } else if (t == "function_definition" || t == "class_definition") {
            TSNode name = field(node, "name");
            if (!null(name)) {
                definitions_[std::string(text(src_, name))] = node;
                Binding b;
                b.kind = Binding::Kind::Def;
                b.pos = ts_node_start_byte(node);
                b.stmt = node;
                b.target = name;
                b.value = node;
                b.func = f;
                add(std::string(text(src_, name)), std::move(b));
            }
            if (t == "function_definition") {
                bind_params(node);
                f = node;
            }
        } else if (t == "for_statement") {
            bind_target(field(node, "left"), node, field(node, "right"), {}, Binding::Kind::Loop, f);
        } else if (t == "as_pattern") {
            TSNode alias = field(node, "alias");
            auto kids = named_children(node);
            TSNode target = named_children(alias).empty() ? alias : named_children(alias)[0];
            if (!kids.empty()) bind_target(target, statement_of(node), kids[0], {}, Binding::Kind::With, f);
        } else if (t == "call") {
            calls_.push_back({node, dotted(src_, field(node, "function"))});
        }
        uint32_t count = ts_node_named_child_count(node);
        for (uint32_t k = count; k > 0; --k)
            stack.push_back({ts_node_named_child(node, k - 1), f});
    }
}

const std::vector<Binding>* Scope::bindings(std::string_view name) const {
    auto it = bindings_.find(std::string(name));
    return it == bindings_.end() ? nullptr : &it->second;
}

const Binding* Scope::lookup(std::string_view name, uint32_t at, TSNode func) const {
    const auto* list = bindings(name);
    if (!list) return nullptr;
    auto last_before = [&](bool want_func) -> const Binding* {
        const Binding* best = nullptr;
        for (const auto& b : *list) {
            if (b.pos > at) break;
            bool in = want_func ? (!null(func) && ts_node_eq(b.func, func)) : null(b.func);
            if (in) best = &b;
        }
        return best;
    };
    if (!null(func))
        if (const Binding* b = last_before(true)) return b;
    if (const Binding* b = last_before(false)) return b;
    if (!null(func)) {
        // A function body sees module-level names bound after its definition but before it is called.
        const Binding* best = nullptr;
        for (const auto& b : *list)
            if (null(b.func)) best = &b;
        return best;
    }
    return nullptr;
}

const Binding* Scope::lookup(TSNode use) const {
    return lookup(text(src_, use), ts_node_start_byte(use), enclosing(use, "function_definition"));
}

std::string Scope::qualify(std::string_view dotted_name) const {
    if (dotted_name.empty()) return {};
    auto dot = dotted_name.find('.');
    std::string first(dotted_name.substr(0, dot));
    auto it = import_alias_.find(first);
    if (it == import_alias_.end()) return std::string(dotted_name);
    return dot == std::string_view::npos ? it->second : it->second + std::string(dotted_name.substr(dot));
}

TSNode Scope::definition(std::string_view name) const {
    auto it = definitions_.find(std::string(name));
    return it == definitions_.end() ? TSNode{} : it->second;
}

} // namespace faultline
