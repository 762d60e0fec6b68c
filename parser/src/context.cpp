#include "extract.h"

namespace faultline {

using namespace syntax;

namespace {

template <class T, class F> Value<T> typed(const Context& cx, TSNode expr, const char* missing, F convert) {
    if (null(expr)) return unknown_value<T>(Span{}, missing);
    Val v = cx.ev.eval(expr);
    if (!v.known()) {
        auto out = unknown_value<T>(span(expr), cat({quoted(cx.src, expr), ": ", v.note}));
        out.uses = v.uses;
        return out;
    }
    std::optional<T> value = convert(v);
    if (!value) return unknown_value<T>(span(expr), cat({quoted(cx.src, expr), " has an unexpected type"}));
    return from_val<T>(v, std::move(*value));
}

} // namespace

void Context::note(TSNode at, std::string message, bool blocks_probe) const {
    note(span(at), std::move(message), blocks_probe);
}

void Context::note(Span at, std::string message, bool blocks_probe) const {
    prog.notes.push_back({at, std::move(message), blocks_probe});
}

void Context::assume(TSNode at, std::string what) const {
    assume(span(at), std::move(what));
}

void Context::assume(Span at, std::string what) const {
    note(at, cat({"assumed ", what, " (line ", std::to_string(at.start.row + 1), ")"}));
}

TSNode passed_argument(const Context& cx, TSNode param_use) {
    const Binding* b = cx.scope.lookup(param_use);
    if (!b || b->kind != Binding::Kind::Param || null(b->func)) return TSNode{};
    int position = 0;
    for (TSNode p : named_children(field(b->func, "parameters"))) {
        if (ts_node_eq(p, b->stmt)) break;
        ++position;
    }
    std::string_view name = text(cx.src, field(b->func, "name"));
    for (const CallSite& c : cx.scope.calls()) {
        if (c.callee != name) continue;
        TSNode passed = arg(call_args(cx.src, c.call), position, {text(cx.src, b->target)});
        if (!null(passed)) return passed;
    }
    return TSNode{};
}

Value<double> Context::number(TSNode expr, const char* missing) const {
    return typed<double>(*this, expr, missing, [](const Val& v) -> std::optional<double> {
        if (v.is_number()) return v.number();
        return std::nullopt;
    });
}

Value<int64_t> Context::integer(TSNode expr, const char* missing) const {
    return typed<int64_t>(*this, expr, missing, [](const Val& v) -> std::optional<int64_t> {
        if (v.kind == Val::Kind::Int) return v.i;
        if (v.kind == Val::Kind::Float && v.f == static_cast<double>(static_cast<int64_t>(v.f)))
            return static_cast<int64_t>(v.f);
        return std::nullopt;
    });
}

Value<std::string> Context::string(TSNode expr, const char* missing) const {
    return typed<std::string>(*this, expr, missing, [](const Val& v) -> std::optional<std::string> {
        if (v.kind == Val::Kind::Str) return v.s;
        return std::nullopt;
    });
}

Value<bool> Context::boolean(TSNode expr, const char* missing) const {
    return typed<bool>(*this, expr, missing, [](const Val& v) -> std::optional<bool> {
        if (v.kind == Val::Kind::Bool) return v.b;
        if (v.kind == Val::Kind::Int) return v.i != 0;
        return std::nullopt;
    });
}

} // namespace faultline
