#include "eval.h"

#include "syntax.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace faultline {

using namespace syntax;

namespace {

constexpr int kMaxDepth = 48;

std::string strip_underscores(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s)
        if (c != '_') out += c;
    return out;
}

// Use sites are kept for the last few names a value went through (the ones a reader follows back from the
// setting); a value reassigned hundreds of times would otherwise drag every step along.
constexpr size_t kMaxUses = 8;

void trim_uses(Val& v) {
    if (v.uses.size() > kMaxUses) v.uses.erase(v.uses.begin(), v.uses.end() - kMaxUses);
}

void merge_uses(Val& into, const Val& from) {
    into.uses.insert(into.uses.end(), from.uses.begin(), from.uses.end());
    trim_uses(into);
}

} // namespace

Val literal_value(Val v, TSNode node) {
    v.origin = span(node);
    v.literal = span(node);
    v.derived = false;
    return v;
}

Val derived_value(Val v, TSNode node) {
    v.origin = span(node);
    v.literal.reset();
    v.derived = true;
    return v;
}

Val Evaluator::eval(TSNode expr, int depth) const {
    if (null(expr)) return Val::unknown("missing expression");
    if (--budget_ < 0) return Val::unknown("the script is too large to evaluate further");
    if (depth > kMaxDepth) return Val::unknown("expression nests too deeply to follow");
    expr = unwrap(expr);
    std::string_view t = type(expr);
    Val v;
    if (t == "integer") {
        std::string digits = strip_underscores(text(src_, expr));
        if (!digits.empty() && (digits.back() == 'l' || digits.back() == 'L')) digits.pop_back();
        if (!digits.empty() && (digits.back() == 'j' || digits.back() == 'J'))
            return Val::unknown("complex numbers are not followed");
        char* end = nullptr;
        int base = 10;
        const char* p = digits.c_str();
        if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
            base = 16, p += 2;
        if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O')) base = 8, p += 2;
        if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B')) base = 2, p += 2;
        v.kind = Val::Kind::Int;
        v.i = std::strtoll(p, &end, base);
        return literal_value(std::move(v), expr);
    }
    if (t == "float") {
        std::string digits = strip_underscores(text(src_, expr));
        if (!digits.empty() && (digits.back() == 'j' || digits.back() == 'J'))
            return Val::unknown("complex numbers are not followed");
        v.kind = Val::Kind::Float;
        v.f = std::strtod(digits.c_str(), nullptr);
        return literal_value(std::move(v), expr);
    }
    if (t == "string" || t == "concatenated_string") {
        auto s = string_literal(src_, expr);
        if (!s) return Val::unknown("formatted string");
        v.kind = Val::Kind::Str;
        v.s = std::move(*s);
        return literal_value(std::move(v), expr);
    }
    if (t == "true" || t == "false") {
        v.kind = Val::Kind::Bool;
        v.b = t == "true";
        return literal_value(std::move(v), expr);
    }
    if (t == "none") {
        v.kind = Val::Kind::None;
        return literal_value(std::move(v), expr);
    }
    if (t == "tuple" || t == "list" || t == "expression_list") {
        v.kind = Val::Kind::Seq;
        bool all_literal = true;
        for (TSNode item : named_children(expr)) {
            Val iv = eval(item, depth + 1);
            if (iv.derived || !iv.uses.empty() || !iv.known()) all_literal = false;
            merge_uses(v, iv);
            v.items.push_back(std::move(iv));
        }
        v = literal_value(std::move(v), expr);
        v.derived = !all_literal;
        return v;
    }
    if (t == "unary_operator") {
        Val a = eval(field(expr, "argument"), depth + 1);
        std::string_view op = text(src_, field(expr, "operator"));
        if (!a.is_number()) return a.kind == Val::Kind::Array ? a : Val::unknown(a.note);
        if (op == "-") {
            if (a.kind == Val::Kind::Int)
                a.i = -a.i;
            else if (a.kind == Val::Kind::Bool) {
                a.kind = Val::Kind::Int;
                a.i = a.b ? -1 : 0;
            } else {
                a.f = -a.f;
            }
        }
        // `-0.1` is still one literal a fix can replace; through a name it is computed.
        if (a.derived || !a.uses.empty()) return derived_value(std::move(a), expr);
        return literal_value(std::move(a), expr);
    }
    if (t == "binary_operator") return eval_binary(expr, depth);
    if (t == "comparison_operator") {
        // `x.sum(axis=1) > 2.5` on an array: a 0/1 column, the usual way scripts make binary targets.
        auto kids = named_children(expr);
        Val left = kids.empty() ? Val{} : eval(kids[0], depth + 1);
        if (left.kind != Val::Kind::Array) return compare_scalars(std::move(left), expr, depth);
        auto a = std::make_shared<ArrayInfo>(*left.array);
        a->min = 0;
        a->max = 1;
        a->integral = true;
        a->literal.clear();
        a->labels = LabelFormat::Binary;
        a->labels_span = span(scope_.statement_of(expr));
        a->num_classes = 2;
        Val out;
        out.kind = Val::Kind::Array;
        out.array = std::move(a);
        out.uses = left.uses;
        return derived_value(std::move(out), expr);
    }
    if (t == "identifier") {
        const Binding* b = scope_.lookup(expr);
        if (!b) return Val::unknown(cat({quoted(src_, expr), " is not assigned in the script"}));
        Val r = eval_binding(*b, depth + 1);
        r.uses.push_back(span(expr));
        trim_uses(r);
        return r;
    }
    if (t == "attribute") return eval_attribute(expr, depth);
    if (t == "subscript") return eval_subscript(expr, depth);
    if (t == "call") return eval_call(expr, depth);
    return Val::unknown(cat({quoted(src_, expr), " cannot be evaluated without running it"}));
}

Val Evaluator::eval_binding(const Binding& b, int depth) const {
    if (!overrides_.empty()) {
        if (auto it = overrides_.find(&b); it != overrides_.end()) return it->second;
        if (auto it = scoped_cache_.find(&b); it != scoped_cache_.end()) return it->second;
    } else if (auto it = cache_.find(&b); it != cache_.end()) {
        return it->second;
    }
    if (depth > kMaxDepth) return Val::unknown("names nest too deeply to follow");
    if (overrides_.empty() && (b.kind == Binding::Kind::Assign || b.kind == Binding::Kind::AugAssign)) {
        // `x = x.reshape(...)`, `x /= 255`, ...: evaluate the name's earlier bindings first, oldest first, so
        // a long chain of reassignments is followed one cached step at a time instead of by deep recursion.
        const auto* list = scope_.bindings(text(src_, b.target));
        if (list && !list->empty() && &b >= list->data() && &b < list->data() + list->size()) {
            // Back to the newest binding already known, then forward.
            size_t k = static_cast<size_t>(&b - list->data());
            size_t first = k;
            while (first > 0 && !cache_.count(&(*list)[first - 1]))
                --first;
            for (size_t j = first; j < k; ++j) {
                const Binding& earlier = (*list)[j];
                if (ts_node_eq(earlier.func, b.func) &&
                    (earlier.kind == Binding::Kind::Assign || earlier.kind == Binding::Kind::AugAssign))
                    eval_binding(earlier, depth + 1);
            }
        }
    }
    Val v;
    if ((b.kind == Binding::Kind::Assign || b.kind == Binding::Kind::AugAssign) &&
        branch_not_taken(b, depth)) {
        // The statement sits on an if/elif/else branch that does not run: the name keeps its earlier value.
        const Binding* prev = scope_.lookup(text(src_, b.target), ts_node_start_byte(b.stmt), b.func);
        v = prev && prev != &b ? eval_binding(*prev, depth + 1)
                               : Val::unknown("assigned only on a branch that does not run");
        (overrides_.empty() ? cache_ : scoped_cache_).emplace(&b, v);
        return v;
    }
    switch (b.kind) {
    case Binding::Kind::Assign:
    case Binding::Kind::With: {
        v = eval(b.value, depth + 1);
        for (int index : b.path) {
            if (v.kind == Val::Kind::Seq && index >= 0 && static_cast<size_t>(index) < v.items.size()) {
                Val item = v.items[index];
                merge_uses(item, v);
                v = std::move(item);
            } else {
                v = Val::unknown("cannot tell which part of `" +
                                 std::string(text(src_, b.value)).substr(0, 60) + "` is unpacked here");
                break;
            }
        }
        break;
    }
    case Binding::Kind::AugAssign: {
        const Binding* prev = scope_.lookup(text(src_, b.target), ts_node_start_byte(b.stmt), b.func);
        Val left = prev && prev != &b ? eval_binding(*prev, depth + 1) : Val::unknown("not assigned before");
        Val right = eval(b.value, depth + 1);
        std::string op = b.op.substr(0, b.op.size() - 1);
        v = apply_op(std::move(left), op, std::move(right), b.stmt);
        break;
    }
    case Binding::Kind::Param:
        v = eval_param(b, depth);
        break;
    case Binding::Kind::Def:
        v.kind = Val::Kind::Object;
        v.object = b.value;
        v.origin = span(b.stmt);
        break;
    case Binding::Kind::Import:
        v = Val::unknown("imported name");
        break;
    case Binding::Kind::Loop:
        v = Val::unknown("loop variable");
        break;
    case Binding::Kind::Other:
        v = Val::unknown("not followed");
        break;
    }
    (overrides_.empty() ? cache_ : scoped_cache_).emplace(&b, v);
    return v;
}

Val Evaluator::eval_param(const Binding& b, int depth) const {
    // A function called once in the script: the parameter is what that call passes. A class's __init__ is
    // called by instantiating the class, without `self`.
    std::string_view fname = text(src_, field(b.func, "name"));
    int skip = 0;
    if (fname == "__init__") {
        TSNode cls = scope_.enclosing(b.func, "class_definition");
        if (null(cls)) return Val::unknown("parameter of __init__ outside a class");
        fname = text(src_, field(cls, "name"));
        skip = 1;
    }
    TSNode only{};
    int calls = 0;
    for (const CallSite& c : scope_.calls()) {
        if (c.callee != fname) continue;
        only = c.call;
        ++calls;
    }
    if (calls == 1) {
        int position = -skip;
        for (TSNode p : named_children(field(b.func, "parameters"))) {
            if (ts_node_eq(p, b.stmt)) break;
            ++position;
        }
        Args args = call_args(src_, only);
        TSNode given = arg(args, position, {text(src_, b.target)});
        if (!null(given)) return eval(given, depth + 1);
    }
    if (!null(b.value)) return eval(b.value, depth + 1);
    return Val::unknown(calls == 0 ? "parameter of a function that is never called"
                                   : "parameter of a function called several times");
}

Val Evaluator::compare_scalars(Val left, TSNode expr, int depth) const {
    const auto kids = named_children(expr);
    TSNode op = ts_node_child(expr, 1);
    if (kids.size() != 2 || null(op) || ts_node_is_named(op))
        return Val::unknown(cat({quoted(src_, expr), " cannot be evaluated without running it"}));
    Val right = eval(kids[1], depth + 1);
    const std::string_view o = text(src_, op);
    std::optional<bool> result;
    if (left.is_number() && right.is_number()) {
        const double a = left.number(), c = right.number();
        if (o == "<") result = a < c;
        if (o == ">") result = a > c;
        if (o == "<=") result = a <= c;
        if (o == ">=") result = a >= c;
        if (o == "==") result = a == c;
        if (o == "!=") result = a != c;
    } else if (left.kind == Val::Kind::Str && right.kind == Val::Kind::Str) {
        if (o == "==") result = left.s == right.s;
        if (o == "!=") result = left.s != right.s;
    }
    if (!result) return Val::unknown(cat({quoted(src_, expr), " cannot be evaluated without running it"}));
    Val out;
    out.kind = Val::Kind::Bool;
    out.b = *result;
    merge_uses(out, left);
    merge_uses(out, right);
    return derived_value(std::move(out), expr);
}

std::optional<bool> Evaluator::truth(TSNode condition, int depth) const {
    Val v = eval(condition, depth + 1);
    if (v.kind == Val::Kind::None) return false;
    if (v.is_number()) return v.number() != 0;
    return std::nullopt;
}

bool Evaluator::branch_not_taken(const Binding& b, int depth) const {
    TSNode child = b.stmt;
    for (TSNode n = ts_node_parent(child); !null(n) && !ts_node_eq(n, b.func);
         child = n, n = ts_node_parent(n)) {
        if (!is(n, "if_statement") && !is(n, "elif_clause") && !is(n, "else_clause")) continue;
        if (!is(child, "block"))
            continue; // inside the condition, or an alternative clause of an if_statement
        TSNode if_stmt = is(n, "if_statement") ? n : ts_node_parent(n);
        if (!is(n, "else_clause") && truth(field(n, "condition"), depth) == std::optional<bool>(false))
            return true;
        // An earlier condition that holds takes its own branch instead.
        if (ts_node_eq(n, if_stmt)) continue;
        if (truth(field(if_stmt, "condition"), depth) == std::optional<bool>(true)) return true;
        for (TSNode alt : named_children(if_stmt)) {
            if (ts_node_eq(alt, n)) break;
            if (is(alt, "elif_clause") && truth(field(alt, "condition"), depth) == std::optional<bool>(true))
                return true;
        }
    }
    return false;
}

Val Evaluator::eval_binary(TSNode expr, int depth) const {
    Val left = eval(field(expr, "left"), depth + 1);
    Val right = eval(field(expr, "right"), depth + 1);
    return apply_op(std::move(left), text(src_, field(expr, "operator")), std::move(right), expr);
}

Val Evaluator::apply_op(Val left, std::string_view op, Val right, TSNode expr) const {
    if (left.kind == Val::Kind::Array || right.kind == Val::Kind::Array)
        return array_op(std::move(left), op, std::move(right), expr);
    Val out;
    merge_uses(out, left);
    merge_uses(out, right);
    if (left.is_number() && right.is_number()) {
        bool ints = left.kind != Val::Kind::Float && right.kind != Val::Kind::Float;
        double a = left.number();
        double b = right.number();
        double r = 0;
        if (op == "+")
            r = a + b;
        else if (op == "-")
            r = a - b;
        else if (op == "*")
            r = a * b;
        else if (op == "/") {
            if (b == 0) return Val::unknown("division by zero");
            r = a / b;
            ints = false;
        } else if (op == "//") {
            if (b == 0) return Val::unknown("division by zero");
            r = std::floor(a / b);
        } else if (op == "%") {
            if (b == 0) return Val::unknown("division by zero");
            r = a - b * std::floor(a / b);
        } else if (op == "**") {
            r = std::pow(a, b);
            if (b < 0) ints = false;
        } else {
            return Val::unknown(cat({"operator `", op, "` is not followed"}));
        }
        if (ints && std::fabs(r) < 9e18) {
            out.kind = Val::Kind::Int;
            out.i = static_cast<int64_t>(r);
        } else {
            out.kind = Val::Kind::Float;
            out.f = r;
        }
        return derived_value(std::move(out), expr);
    }
    if (left.kind == Val::Kind::Str && right.kind == Val::Kind::Str && op == "+") {
        out.kind = Val::Kind::Str;
        out.s = left.s + right.s;
        return derived_value(std::move(out), expr);
    }
    if (left.kind == Val::Kind::Seq && right.kind == Val::Kind::Seq && op == "+") {
        out.kind = Val::Kind::Seq;
        out.items = left.items;
        out.items.insert(out.items.end(), right.items.begin(), right.items.end());
        return derived_value(std::move(out), expr);
    }
    if (left.kind == Val::Kind::Seq && right.kind == Val::Kind::Int && op == "*" && right.i >= 0 &&
        right.i < 4096) {
        out.kind = Val::Kind::Seq;
        for (int64_t k = 0; k < right.i; ++k)
            out.items.insert(out.items.end(), left.items.begin(), left.items.end());
        return derived_value(std::move(out), expr);
    }
    if (!left.known()) return left;
    if (!right.known()) return right;
    return Val::unknown(cat({quoted(src_, expr), " is not followed"}));
}

Val Evaluator::eval_attribute(TSNode expr, int depth) const {
    std::string_view attr = text(src_, field(expr, "attribute"));
    TSNode object = field(expr, "object");
    std::string full = scope_.qualify(dotted(src_, expr));
    if (full == "numpy.pi" || full == "math.pi") {
        Val v;
        v.kind = Val::Kind::Float;
        v.f = M_PI;
        return derived_value(std::move(v), expr);
    }
    Val base = eval(object, depth + 1);
    if (base.kind == Val::Kind::Seq && base.s == "bunch" && base.items.size() == 2) {
        if (attr == "data") return base.items[0];
        if (attr == "target") return base.items[1];
    }
    if (base.kind == Val::Kind::Array) {
        const ArrayInfo& a = *base.array;
        if (attr == "shape") {
            Val v;
            v.kind = Val::Kind::Seq;
            for (int64_t d : a.shape) {
                Val item;
                if (d >= 0) {
                    item.kind = Val::Kind::Int;
                    item.i = d;
                    item = derived_value(std::move(item), expr);
                } else {
                    item.note = "dimension not known";
                }
                v.items.push_back(std::move(item));
            }
            v.uses = base.uses;
            return derived_value(std::move(v), expr);
        }
        if (attr == "values" || attr == "T" || attr == "data" || attr == "iloc" || attr == "loc") return base;
        if (attr == "size" && !a.shape.empty()) {
            int64_t n = 1;
            for (int64_t d : a.shape) {
                if (d < 0) return Val::unknown("array size not known");
                n *= d;
            }
            Val v;
            v.kind = Val::Kind::Int;
            v.i = n;
            return derived_value(std::move(v), expr);
        }
        // A DataFrame column by attribute (`train.Survived`): one value per row.
        auto col = std::make_shared<ArrayInfo>(a);
        col->shape = a.shape.empty() ? std::vector<int64_t>{} : std::vector<int64_t>{a.shape[0]};
        col->literal.clear();
        Val v = base;
        v.array = col;
        return derived_value(std::move(v), expr);
    }
    return Val::unknown(cat({quoted(src_, expr), " is not followed"}));
}

Val Evaluator::inline_call(TSNode call, TSNode def, int depth) const {
    std::vector<TSNode> returns = return_statements(field(def, "body"));
    if (returns.size() != 1 || named_children(returns[0]).empty())
        return Val::unknown(cat({"the result of ", quoted(src_, call), " is not followed"}));
    // Bind the parameters to the call's arguments for the duration of the body's evaluation.
    auto saved = overrides_;
    Args args = call_args(src_, call);
    int position = 0;
    for (TSNode p : named_children(field(def, "parameters"))) {
        TSNode name = is(p, "identifier") ? p : field(p, "name");
        if (!is(name, "identifier")) {
            ++position;
            continue;
        }
        std::string_view pname = text(src_, name);
        TSNode given = arg(args, position++, {pname});
        if (null(given)) continue;
        if (const auto* list = scope_.bindings(pname))
            for (const Binding& b : *list)
                if (b.kind == Binding::Kind::Param && ts_node_eq(b.func, def)) {
                    Val v = eval(given, depth + 1);
                    override_binding(&b, std::move(v));
                }
    }
    Val out = eval(named_children(returns[0])[0], depth + 1);
    set_overrides(std::move(saved));
    return out;
}

std::string Evaluator::callee(TSNode call) const {
    std::string name = dotted(src_, field(call, "function"));
    // `slim = tf.contrib.slim` ... `slim.conv2d(...)`: a module alias made by assignment; `RNN = layers.LSTM`
    // ... `RNN(128)`: a class alias.
    for (int hops = 0; hops < 8 && !name.empty(); ++hops) {
        auto dot = name.find('.');
        std::string head = dot == std::string::npos ? name : name.substr(0, dot);
        const Binding* b =
            scope_.lookup(head, ts_node_start_byte(call), scope_.enclosing(call, "function_definition"));
        if (!b || b->kind != Binding::Kind::Assign || !b->path.empty()) break;
        TSNode value = unwrap(b->value);
        if (!is(value, "identifier") && !is(value, "attribute")) break;
        std::string alias = dotted(src_, value);
        if (alias.empty() || alias == head) break;
        name = alias + (dot == std::string::npos ? "" : name.substr(dot));
    }
    return scope_.qualify(name);
}

TSNode Evaluator::object_of(TSNode expr, std::vector<Span>* uses) const {
    for (int depth = 0; depth < kMaxDepth; ++depth) {
        expr = unwrap(expr);
        if (!is(expr, "identifier")) return expr;
        const Binding* b = scope_.lookup(expr);
        // A name that is not simply assigned (a def, an import, a parameter) stands for itself.
        if (!b || (b->kind != Binding::Kind::Assign && b->kind != Binding::Kind::With) || !b->path.empty())
            return expr;
        if (uses) uses->push_back(span(expr));
        expr = b->value;
    }
    return TSNode{};
}

Val Evaluator::eval_subscript(TSNode expr, int depth) const {
    Val base = eval(field(expr, "value"), depth + 1);
    if (base.kind == Val::Kind::Array) return array_subscript(std::move(base), expr, depth);
    std::vector<TSNode> index;
    uint32_t count = ts_node_named_child_count(expr);
    for (uint32_t k = 1; k < count; ++k)
        index.push_back(ts_node_named_child(expr, k));
    if (base.kind == Val::Kind::Seq && index.size() == 1 && is(index[0], "slice")) {
        // seq[a:b:c] with known bounds.
        std::vector<TSNode> parts(3);
        int part = 0;
        uint32_t n = ts_node_child_count(index[0]);
        for (uint32_t k = 0; k < n && part < 3; ++k) {
            TSNode c = ts_node_child(index[0], k);
            if (!ts_node_is_named(c))
                ++part;
            else
                parts[part] = c;
        }
        auto bound = [&](TSNode b, int64_t fallback) -> std::optional<int64_t> {
            if (null(b)) return fallback;
            Val v = eval(b, depth + 1);
            if (v.kind != Val::Kind::Int) return std::nullopt;
            return v.i;
        };
        int64_t size = static_cast<int64_t>(base.items.size());
        auto lo = bound(parts[0], 0), hi = bound(parts[1], size), step = bound(parts[2], 1);
        if (lo && hi && step && *step > 0) {
            int64_t a = *lo < 0 ? std::max<int64_t>(0, size + *lo) : std::min(*lo, size);
            int64_t b = *hi < 0 ? std::max<int64_t>(0, size + *hi) : std::min(*hi, size);
            Val out;
            out.kind = Val::Kind::Seq;
            for (int64_t k = a; k < b; k += *step)
                out.items.push_back(base.items[static_cast<size_t>(k)]);
            out.uses = base.uses;
            return derived_value(std::move(out), expr);
        }
    }
    if (base.kind == Val::Kind::Seq && index.size() == 1) {
        Val i = eval(index[0], depth + 1);
        if (i.kind == Val::Kind::Int) {
            int64_t n = static_cast<int64_t>(base.items.size());
            int64_t k = i.i < 0 ? n + i.i : i.i;
            if (k >= 0 && k < n) {
                Val item = base.items[k];
                merge_uses(item, base);
                return item;
            }
        }
    }
    if (!base.known()) return base;
    return Val::unknown(cat({quoted(src_, expr), " is not followed"}));
}

} // namespace faultline
