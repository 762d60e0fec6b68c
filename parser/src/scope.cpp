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
    // Unpacking deeper than any real script nests is not followed (and cannot exhaust the stack).
    if (path.size() > 32) return;
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

namespace {

enum NodeClass : uint8_t { kPlain, kComment, kInteresting };

// Node types the walk acts on, by grammar symbol: most nodes are expressions the walk only passes through.
const std::vector<uint8_t>& node_classes() {
    static const std::vector<uint8_t> classes = [] {
        const TSLanguage* lang = tree_sitter_python();
        std::vector<uint8_t> out(ts_language_symbol_count(lang), kPlain);
        static const std::string_view acted_on[] = {"module",
                                                    "block",
                                                    "function_definition",
                                                    "class_definition",
                                                    "for_statement",
                                                    "while_statement",
                                                    "with_statement",
                                                    "assignment",
                                                    "augmented_assignment",
                                                    "import_statement",
                                                    "import_from_statement",
                                                    "as_pattern",
                                                    "call",
                                                    "for_in_clause"};
        for (TSSymbol sym = 0; sym < out.size(); ++sym) {
            std::string_view name = ts_language_symbol_name(lang, sym);
            if (name == "comment") out[sym] = kComment;
            for (std::string_view a : acted_on)
                if (name == a) out[sym] = kInteresting;
        }
        return out;
    }();
    return classes;
}

} // namespace

void Scope::walk(TSNode n, TSNode func) {
    const std::vector<uint8_t>& interesting = node_classes();
    // An explicit stack keeps deep nesting off the C++ stack; named_children steps through long child lists
    // with a cursor (ts_node_named_child scans from the first child on every call).
    struct Ctx {
        TSNode func;        // enclosing function of the children
        TSNode stmt;        // the statement the children belong to, unless `holds` (then each child is one)
        bool holds = false; // the node is a module or block
        int inside[kKinds]; // index of the innermost enclosing node of each kind, -1 if none
    };
    auto enter = [&](TSNode node, const Ctx& parent) -> Ctx {
        Ctx out = parent;
        out.holds = false;
        if (!ts_node_is_named(node)) return out;
        TSSymbol sym = ts_node_symbol(node);
        if (sym >= interesting.size() || interesting[sym] == kComment) return out;
        Ctx item = parent;
        item.stmt = parent.holds ? node : parent.stmt;
        if (interesting[sym] == kPlain) {
            if (parent.holds) {
                nested_[kStatement].nodes.push_back(node);
                nested_[kStatement].parent.push_back(item.inside[kStatement]);
                item.inside[kStatement] = static_cast<int>(nested_[kStatement].nodes.size()) - 1;
            }
            return item;
        }
        std::string_view t = type(node);
        TSNode f = parent.func;
        auto record = [&](Kind k) {
            nested_[k].nodes.push_back(node);
            nested_[k].parent.push_back(item.inside[k]);
            item.inside[k] = static_cast<int>(nested_[k].nodes.size()) - 1;
        };
        if (parent.holds) record(kStatement);
        if (t == "function_definition")
            record(kFunction);
        else if (t == "class_definition")
            record(kClass);
        else if (t == "for_statement" || t == "while_statement")
            record(kLoop);
        else if (t == "with_statement")
            record(kWith);
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
        } else if (t == "for_in_clause") {
            // `[Dense(n) for n in sizes]`: the body comes before the clause in the text, so the variable is
            // in effect from the comprehension's start, and only inside it.
            TSNode comp = ts_node_parent(node);
            TSNode left = field(node, "left");
            if (is(left, "identifier") && !null(comp)) {
                Binding b;
                b.kind = Binding::Kind::Loop;
                b.pos = ts_node_start_byte(comp);
                b.stmt = node;
                b.target = left;
                b.value = field(node, "right");
                b.func = f;
                b.only_in = comp;
                add(std::string(text(src_, left)), std::move(b));
            }
        } else if (t == "for_statement") {
            bind_target(field(node, "left"), node, field(node, "right"), {}, Binding::Kind::Loop, f);
        } else if (t == "as_pattern") {
            TSNode alias = field(node, "alias");
            auto kids = named_children(node);
            TSNode target = named_children(alias).empty() ? alias : named_children(alias)[0];
            if (!kids.empty()) bind_target(target, item.stmt, kids[0], {}, Binding::Kind::With, f);
        } else if (t == "call") {
            calls_.push_back({node, dotted(src_, field(node, "function")), callee_name(src_, node)});
        }
        out = item;
        out.func = f;
        out.holds = t == "module" || t == "block";
        return out;
    };
    Ctx base{func, TSNode{}, false, {-1, -1, -1, -1, -1}};
    std::vector<std::pair<TSNode, Ctx>> stack{{n, base}};
    while (!stack.empty()) {
        auto [node, parent] = stack.back();
        stack.pop_back();
        Ctx inner = enter(node, parent);
        uint32_t count = ts_node_named_child_count(node);
        if (count < 16) {
            for (uint32_t k = count; k > 0; --k)
                stack.emplace_back(ts_node_named_child(node, k - 1), inner);
        } else {
            std::vector<TSNode> kids = named_children(node);
            for (size_t k = kids.size(); k > 0; --k)
                stack.emplace_back(kids[k - 1], inner);
        }
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
            if (!null(b.only_in) && (at < ts_node_start_byte(b.only_in) || at >= ts_node_end_byte(b.only_in)))
                continue;
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
            if (null(b.func) && null(b.only_in)) best = &b;
        return best;
    }
    return nullptr;
}

const Binding* Scope::lookup(TSNode use) const {
    return lookup(text(src_, use), ts_node_start_byte(use), enclosing(use, "function_definition"));
}

namespace {

bool contains(TSNode outer, TSNode inner) {
    return ts_node_start_byte(outer) <= ts_node_start_byte(inner) &&
           ts_node_end_byte(inner) <= ts_node_end_byte(outer) && !ts_node_eq(outer, inner);
}

} // namespace

// Ranges nest, so whatever contains `n` contains the last node that starts before `n` or is one of its
// ancestors.
TSNode Scope::Nested::innermost(TSNode n) const {
    uint32_t start = ts_node_start_byte(n);
    auto it = std::upper_bound(nodes.begin(), nodes.end(), start,
                               [](uint32_t s, const TSNode& e) { return s < ts_node_start_byte(e); });
    int k = static_cast<int>(it - nodes.begin()) - 1;
    while (k >= 0 && !contains(nodes[k], n))
        k = parent[k];
    return k >= 0 ? nodes[k] : TSNode{};
}

std::vector<TSNode> Scope::Nested::around(TSNode n) const {
    std::vector<TSNode> out;
    for (TSNode k = innermost(n); !null(k); k = innermost(k))
        out.push_back(k);
    return out;
}

TSNode Scope::statement_of(TSNode n) const {
    if (null(n)) return n;
    // A statement is its own statement.
    const Nested& st = nested_[kStatement];
    auto it = std::lower_bound(st.nodes.begin(), st.nodes.end(), ts_node_start_byte(n),
                               [](const TSNode& e, uint32_t s) { return ts_node_start_byte(e) < s; });
    for (; it != st.nodes.end() && ts_node_start_byte(*it) == ts_node_start_byte(n); ++it)
        if (ts_node_eq(*it, n)) return n;
    TSNode s = st.innermost(n);
    return null(s) ? n : s;
}

TSNode Scope::enclosing(TSNode n, std::string_view t) const {
    if (null(n)) return n;
    Kind k = t == "function_definition" ? kFunction
             : t == "class_definition"  ? kClass
             : t == "with_statement"    ? kWith
                                        : kLoop;
    return nested_[k].innermost(n);
}

std::vector<TSNode> Scope::loops_around(TSNode n) const {
    return nested_[kLoop].around(n);
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
