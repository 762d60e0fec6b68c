// FL100, FL135: numbers a float cannot hold. Facts: IEEE 754-2008 binary16 (largest finite 65504, smallest
// normal 2^-14 = 6.1e-5, smallest subnormal 2^-24 = 5.96e-8); the TensorFlow 1.x API reference of
// tf.train.AdamOptimizer (the default epsilon 1e-8 "may not be a good default in general"; values such as 1.0
// or 0.1 are suggested for some models) and of tf.nn.softmax_cross_entropy_with_logits, and the TF1 MNIST
// tutorial, which call the hand-written `-tf.reduce_sum(y_ * tf.log(y))` numerically unstable.
#include "rules/checks.h"

namespace faultline::rules {
namespace {

// An epsilon of 1e-4 is a normal float16 number (above 6.1e-5) and bounds each step m / (sqrt(v) + eps) by
// 1e4 * |m|, inside float16's range for moments below 6.5; it is the value commonly used for float16
// training.
constexpr double kFloat16Epsilon = 1e-4;
constexpr double kFloat16SmallestSubnormal = 5.96e-8;

bool has_epsilon(const std::string& optimizer) {
    return optimizer == "adam" || optimizer == "adamax" || optimizer == "nadam" || optimizer == "adamw" ||
           optimizer == "rmsprop" || optimizer == "adagrad" || optimizer == "adadelta";
}

void unguarded_log(CheckContext& ctx) {
    const auto& p = ctx.program;
    if (!p.loss.unguarded_log || p.loss.from_logits) return;
    const auto& log = *p.loss.unguarded_log;
    // The argument must be probabilities: visibly a softmax/sigmoid, or the network's output is one.
    std::string act = log.applied;
    if (act.empty() && ctx.output.activation_known() &&
        (ctx.output.activation_name() == "softmax" || ctx.output.activation_name() == "sigmoid"))
        act = ctx.output.activation_name();
    if (act.empty()) return;
    Span range = ctx.loss_range();
    if (range.empty() || range.start.row > log.call.start.row || range.end.row < log.call.start.row)
        range = log.call;
    bool torch = p.framework == Framework::PyTorch;
    Finding* f = ctx.add(
        "FL100",
        "the loss takes the log of " + act + " probabilities with no guard: a probability of 0 gives -inf",
        "A " + act +
            " output rounds to exactly 0 for a class the network is confident against (in float32 below "
            "about 1e-38, which a logit only 90 below the largest reaches). `log(0)` is -inf, `0 * -inf` is "
            "NaN, and one NaN in the loss makes every weight NaN at the next update. The library losses "
            "(`tf.nn.softmax_cross_entropy_with_logits`, `nn.CrossEntropyLoss`, Keras' cross-entropy, which "
            "clips to [1e-7, 1 - 1e-7]) avoid this; the TensorFlow documentation calls the hand-written form "
            "numerically unstable.\n\n**Fix:** clip the probabilities inside the log (" +
            (torch ? "`torch.log(torch.clamp(p, min=1e-10))`" : "`tf.log(tf.clip_by_value(y, 1e-10, 1.0))`") +
            "), or use the framework's cross-entropy on the logits.",
        range);
    if (!f) return;
    add_related(*f, log.call, "log taken here");
    if (log.clip.empty() || log.argument.empty()) return;
    bool clamp = log.clip.size() >= 6 && log.clip.compare(log.clip.size() - 6, 6, ".clamp") == 0;
    std::string open = log.clip + "(";
    std::string close = clamp ? ", min=1e-10)" : ", 1e-10, 1.0)";
    Span before = log.argument;
    before.end_byte = before.start_byte;
    before.end = before.start;
    f->fixes.push_back(make_fix("Clip the probabilities inside the log (" + open + "..." + close + ")",
                                {Replacement{before, open}, insert_after(log.argument, close)}));
}

void float16_epsilon(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& o = p.optimizer;
    if (!p.float16.value_or(false) || !o.name.known() || !has_epsilon(*o.name)) return;
    if (!o.epsilon.known() || *o.epsilon >= kFloat16Epsilon) return;
    double eps = *o.epsilon;
    bool written = o.epsilon.kind == OriginKind::Literal || o.epsilon.kind == OriginKind::Derived;
    std::string what =
        written ? "epsilon " + format_number(eps) : "the default epsilon " + format_number(eps);
    std::string effect = eps < kFloat16SmallestSubnormal / 2
                             ? "rounds to 0 in float16, so the update divides by zero"
                             : "is a float16 subnormal, so a gradient moment above " +
                                   format_number(65504 * eps) + " overflows float16's maximum 65504";
    Finding* f = ctx.add(
        "FL135", *o.name + " in float16 with " + what + ": it " + effect,
        "The model computes in float16. " + *o.name +
            " divides each step by `sqrt(v) + epsilon`; float16's smallest positive number is 5.96e-8 and "
            "its largest 65504 (IEEE 754 binary16). An epsilon of " +
            format_number(eps) +
            " is 0 or a subnormal in float16, so wherever `v` underflows the step is a division by (almost) "
            "zero: the weights become inf or NaN. TensorFlow's AdamOptimizer documentation notes that the "
            "default epsilon is not a good choice in general.\n\n**Fix:** pass `" +
            o.epsilon_keyword +
            "=1e-4` to the optimizer (or train in mixed precision, which keeps float32 "
            "optimizer state).",
        Fault::opt, o.call);
    if (!f) return;
    add_related(*f, p.float16.origin, "float16 set here");
    if (written) {
        if (auto edit = replace_literal(o.epsilon.literal, "1e-4"))
            f->fixes.push_back(make_fix("Use " + o.epsilon_keyword + "=1e-4", {*edit}));
        return;
    }
    if (o.written_as_string || o.arguments.empty() || o.arguments.end_byte < o.arguments.start_byte + 2)
        return;
    // Before the closing parenthesis; "()" has nothing to separate from.
    Span close = o.arguments;
    close.start_byte = close.end_byte = o.arguments.end_byte - 1;
    close.start = close.end = o.arguments.end;
    close.start.column = close.end.column = o.arguments.end.column - 1;
    bool empty = o.arguments.end_byte == o.arguments.start_byte + 2;
    std::string arg = (empty ? "" : ", ") + o.epsilon_keyword + "=1e-4";
    f->fixes.push_back(
        make_fix("Add " + o.epsilon_keyword + "=1e-4 to the optimizer", {Replacement{close, arg}}));
}

} // namespace

void check_numerics(CheckContext& ctx) {
    unguarded_log(ctx);
    float16_epsilon(ctx);
}

} // namespace faultline::rules
