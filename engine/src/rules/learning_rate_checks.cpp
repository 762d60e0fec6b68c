// FL131-FL132: the learning rate against the range in which each optimizer trains.
// Sources: Bengio, "Practical recommendations for gradient-based training of deep architectures" (2012),
// section 3.1: for standardised inputs the learning rate is typically below 1 and above 1e-6; Kingma & Ba,
// "Adam" (ICLR 2015): default 0.001; the Keras, tf.keras and torch.optim documentation for the defaults.
// The upper bounds for adaptive optimizers are 100x their default step (the per-parameter step of Adam and
// RMSprop is about lr, independent of the gradient's scale, so 0.1 already moves every weight by 0.1).
#include "rules/checks.h"

#include <array>

namespace faultline::rules {
namespace {

constexpr double kMinLearningRate = 1e-6; // Bengio 2012, section 3.1

struct Bound {
    const char* optimizer;
    double max_lr;
};
constexpr std::array<Bound, 8> kUpperBounds{{
    {"sgd", 1.0}, // Bengio 2012
    {"adam", 0.1},
    {"adamax", 0.1},
    {"nadam", 0.1},
    {"adamw", 0.1},
    {"rmsprop", 0.1},
    {"adagrad", 1.0},   // Duchi et al. 2011 use steps up to 1; Keras's default is 0.01
    {"adadelta", 10.0}, // Zeiler 2012 has no learning rate (1.0 in Keras 2 and PyTorch)
}};

std::optional<double> upper_bound(const std::string& optimizer) {
    for (const auto& b : kUpperBounds)
        if (optimizer == b.optimizer) return b.max_lr;
    return std::nullopt;
}

void add_lr_finding(CheckContext& ctx, const char* code, const std::string& message, const std::string& why,
                    std::optional<double> replacement) {
    const auto& p = ctx.program;
    const auto& lr = p.optimizer.lr;
    Finding* f = ctx.add(code, message, why, Fault::lr, value_span(lr, p.optimizer.call));
    if (!f) return;
    if (replacement && lr.kind == OriginKind::Literal)
        if (auto edit = replace_literal(lr.literal, format_number(*replacement)))
            f->fixes.push_back(
                make_fix("Use the default learning rate " + format_number(*replacement), {*edit}));
}

} // namespace

void check_learning_rate(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& opt = p.optimizer;
    if (!opt.name.known() || !opt.lr.known()) return;
    // A default that the framework chose is not the script's fault (and is inside every range below).
    if (opt.lr.kind != OriginKind::Literal && opt.lr.kind != OriginKind::Derived) return;
    double lr = *opt.lr;
    const std::string& name = *opt.name;
    std::optional<double> def = default_learning_rate(p.framework, name);
    if (lr <= 0) return; // zero or negative is a different mistake (nothing trains), not a range question
    if (auto max = upper_bound(name); max && lr > *max) {
        add_lr_finding(
            ctx, "FL131",
            "learning rate " + format_number(lr) + " is too high for " + name + " (above " +
                format_number(*max) + ")",
            "With a step this large the weights overshoot: the loss oscillates, grows, or becomes NaN. "
            "For " +
                name + " the range that trains on standardised inputs ends at " + format_number(*max) +
                (def ? " (the framework's default is " + format_number(*def) + ")" : std::string()) +
                ".\n\n**Fix:** lower the learning rate, for example to the default, and raise it in "
                "steps of 3x while the loss still falls.",
            def);
        return;
    }
    if (lr < kMinLearningRate) {
        add_lr_finding(ctx, "FL132",
                       "learning rate " + format_number(lr) +
                           " is too low for training to make progress (below " +
                           format_number(kMinLearningRate) + ")",
                       "Below about 1e-6 the updates are so small that the loss barely moves within any "
                       "practical number of epochs; Bengio (2012) gives 1e-6 as the lower end of the useful "
                       "range.\n\n**Fix:** start from the optimizer's default" +
                           (def ? " (" + format_number(*def) + ")" : std::string()) + ".",
                       def);
    }
}

} // namespace faultline::rules
