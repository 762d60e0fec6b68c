// What the framework extractors share: the script, its names, and the program being filled.
#pragma once

#include "eval.h"
#include "scope.h"
#include "syntax.h"

#include "faultline/parser/program.h"

#include <optional>
#include <string>

namespace faultline {

struct Context {
    std::string_view src;
    TSNode root;
    const Scope& scope;
    const Evaluator& ev;
    TrainingProgram& prog;

    void note(TSNode at, std::string message, bool blocks_probe = false) const;
    void note(Span at, std::string message, bool blocks_probe = false) const;
    // What a reader assumes where the text does not say (a size known only at run time, a custom layer): a
    // note that does not block the probe, "assumed <what> (line N)".
    void assume(TSNode at, std::string what) const;
    void assume(Span at, std::string what) const;

    // Values of argument expressions, with origin, literal span and use sites. A null node gives an Unknown
    // value with `missing` as the note.
    Value<double> number(TSNode expr, const char* missing = "not given") const;
    Value<int64_t> integer(TSNode expr, const char* missing = "not given") const;
    Value<std::string> string(TSNode expr, const char* missing = "not given") const;
    Value<bool> boolean(TSNode expr, const char* missing = "not given") const;
};

template <class T> Value<T> default_value(T v, Span call, std::string note = "framework default") {
    Value<T> out;
    out.value = std::move(v);
    out.kind = OriginKind::Default;
    out.origin = call;
    out.note = std::move(note);
    return out;
}

template <class T> Value<T> unknown_value(Span at, std::string note) {
    Value<T> out;
    out.kind = OriginKind::Unknown;
    out.origin = at;
    out.note = std::move(note);
    return out;
}

// Copies origin, literal span and uses of an evaluated expression into a typed value.
template <class T> Value<T> from_val(const Val& v, T value) {
    Value<T> out;
    out.value = std::move(value);
    out.kind = v.derived ? OriginKind::Derived : OriginKind::Literal;
    out.origin = v.origin;
    out.literal = v.derived ? std::optional<Span>(v.origin) : v.literal;
    out.uses = v.uses;
    if (v.derived) out.note = "computed";
    return out;
}

// Framework detection from imports and calls (framework.cpp).
Framework detect_framework(const Scope& scope);

// Sizes the text leaves unknown (units computed from data at run time, an Embedding's vocabulary), given the
// value a reader would assume, each with a note (assumptions.cpp). Runs after the framework's extractor.
void assume_unknown_sizes(Context& cx);

// The extractors, one per framework family.
void extract_keras(Context& cx);
void extract_pytorch(Context& cx);
void extract_tf1(Context& cx);

// Numeric facts (numerics.cpp): float16 compute, optimizer epsilon, a PyTorch loss's unguarded log. Runs
// after the framework's extractor.
void read_numerics(Context& cx);
// The log call's argument when nothing keeps it from 0 (no `+ eps`, clip or clamp); nullopt when guarded or
// not a log call.
std::optional<Loss::UnguardedLog> unguarded_log(const Context& cx, TSNode log_call);

// For a use of a function's parameter (`def train(model, loader)`): the argument the script's first call of
// that function passes for it, or null.
TSNode passed_argument(const Context& cx, TSNode param_use);

// A name followed to the expression last assigned to it (a few hops), or the node itself; `uses` collects the
// names passed through.
TSNode through_names(const Context& cx, TSNode n, std::vector<Span>* uses = nullptr);

// A 0.5 threshold or rounding applied to logits (thresholds.cpp). Runs after the framework's extractor.
void read_logit_thresholds(Context& cx);

// Data fed to training (dataset.cpp): x and y as passed to fit, or the training loop's tensors.
void fill_data(Context& cx, TSNode x, TSNode y);
// The first dataset load of the script when the data passed to training cannot be followed.
void fill_data_fallback(Context& cx);

// Manual batches: for `x[i:i + B]` or `x[k * B:(k + 1) * B]` (possibly through a name), the sliced array `x`
// and the batch size B. `array` is null when `expr` is not such a slice.
struct BatchSlice {
    TSNode array{};
    Value<int64_t> batch;
};
BatchSlice batch_slice(const Context& cx, TSNode expr);

} // namespace faultline
