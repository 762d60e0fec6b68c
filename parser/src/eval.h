// Evaluation of expressions without running them: numbers, strings, tuples and arithmetic through names
// (eval.cpp), and arrays from their load to model.fit (data.cpp).
#pragma once

#include "scope.h"
#include "value.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace faultline {

class Evaluator {
public:
    Evaluator(std::string_view src, const Scope& scope) : src_(src), scope_(scope) {}

    Val eval(TSNode expr) const { return eval(expr, 0); }
    Val eval(TSNode expr, int depth) const;
    // The value a binding gives its name (tuple unpacking and augmented assignments applied).
    Val eval_binding(const Binding& b, int depth) const;
    // For a name or expression that stands for an object (a layer, model, optimizer): the expression that
    // created it, following names (`opt = SGD(...)` ... `optimizer=opt` gives the SGD call). A name bound
    // otherwise (def, import, parameter, unpacking) is returned as it is.
    TSNode object_of(TSNode expr, std::vector<Span>* uses = nullptr) const;
    // The fully qualified callee of a call, through imports ("keras.layers.Dense"), "" if computed.
    std::string callee(TSNode call) const;

    const Scope& scope() const { return scope_; }
    std::string_view src() const { return src_; }

private:
    Val eval_call(TSNode call, int depth) const;   // data.cpp: arrays; numeric builtins
    Val eval_method(TSNode call, int depth) const; // data.cpp: x.reshape, x.astype, ...
    // generated.cpp: numpy ranges and element-wise functions, sklearn datasets and generators.
    std::optional<Val> eval_generated(TSNode call, const std::string& full, int depth) const;
    Val eval_binary(TSNode expr, int depth) const;
    // `a < b`, `s == 'x'` on numbers and strings; unknown otherwise.
    Val compare_scalars(Val left, TSNode expr, int depth) const;
    // Whether a condition is known to hold (true) or not (false).
    std::optional<bool> truth(TSNode condition, int depth) const;
    // Whether the binding's statement is on an if/elif/else branch known not to run: its own condition is
    // false, or an earlier condition of the same chain is true. Unknown conditions count as taken.
    bool branch_not_taken(const Binding& b, int depth) const;
    Val eval_param(const Binding& b, int depth) const;
    // The value a call of a function defined in the script returns, with its parameters bound to the
    // arguments.
    Val inline_call(TSNode call, TSNode def, int depth) const;
    Val eval_attribute(TSNode expr, int depth) const;
    Val eval_subscript(TSNode expr, int depth) const;
    Val apply_op(Val left, std::string_view op, Val right, TSNode expr) const;
    Val array_subscript(Val base, TSNode expr, int depth) const;               // data.cpp
    Val array_op(Val left, std::string_view op, Val right, TSNode expr) const; // data.cpp

    std::string_view src_;
    const Scope& scope_;
    mutable std::unordered_map<const Binding*, Val> cache_;
    // Values forced for bindings while unrolling a loop or inlining a call (loop variable, parameters).
    mutable std::unordered_map<const Binding*, Val> overrides_;
    // Values computed under the current overrides; cleared whenever they change.
    mutable std::unordered_map<const Binding*, Val> scoped_cache_;
    // Evaluation steps left: hostile input (names doubling each other under inlining) stays bounded.
    mutable int64_t budget_ = 2'000'000;

public:
    // Forces `b` to evaluate to `v` until cleared; evaluation results are not cached meanwhile.
    void override_binding(const Binding* b, Val v) const {
        overrides_[b] = std::move(v);
        scoped_cache_.clear();
    }
    void clear_overrides() const {
        overrides_.clear();
        scoped_cache_.clear();
    }
    using Overrides = std::unordered_map<const Binding*, Val>;
    const Overrides& overrides() const { return overrides_; }
    void set_overrides(Overrides o) const {
        overrides_ = std::move(o);
        scoped_cache_.clear();
    }
};

// Helpers shared by the evaluators.
Val literal_value(Val v, TSNode node);
Val derived_value(Val v, TSNode node);

} // namespace faultline
