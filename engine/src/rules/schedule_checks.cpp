// FL141-FL142: how many weight updates the training gets. Keras runs ceil(samples / batch_size) updates per
// epoch and clamps a batch larger than the data to the whole set; a PyTorch DataLoader does the same.
#include "rules/checks.h"

namespace faultline::rules {
namespace {

// Fewer updates than this leave even a small network far from a minimum with any standard learning rate:
// 30 steps of Adam at its default 0.001 move a weight by at most 0.03. A single Keras epoch of MNIST at the
// default batch size is 1,875 updates, so ordinary scripts are far above it.
constexpr int64_t kMinUpdates = 30;
// Between the minimum and this, training may still reach a usable model (a 150-update MNIST run with momentum
// SGD is an accepted Stack Overflow fix; generated correct programs train on 40 to 88): information only.
constexpr int64_t kFewUpdates = 300;
// What the fix aims for.
constexpr int64_t kTargetUpdates = 1000;

int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

void too_few_updates(CheckContext& ctx) {
    const auto& p = ctx.program;
    int64_t updates = 0;
    std::string how;
    const Value<int64_t>* count = nullptr;
    if (p.epochs.known() && p.data.num_samples.known() && p.batch_size.known()) {
        int64_t epochs = *p.epochs, n = *p.data.num_samples, batch = *p.batch_size;
        if (epochs <= 0 || n <= 0 || batch <= 0) return;
        int64_t per_epoch = ceil_div(n, batch);
        updates = epochs * per_epoch;
        how = std::to_string(epochs) + " epoch" + (epochs == 1 ? "" : "s") + " of " +
              std::to_string(per_epoch) + " batch" + (per_epoch == 1 ? "" : "es") + " (" + std::to_string(n) +
              " samples, batch size " + std::to_string(batch) + ")";
        count = &p.epochs;
        if (updates >= kFewUpdates) return;
        Finding* f =
            ctx.add("FL141", how + " give only " + std::to_string(updates) + " weight updates",
                    "Each batch is one gradient step. With " + std::to_string(updates) +
                        " steps the weights cannot travel far from their initial values, so the loss "
                        "is still falling when training stops and the model underfits.\n\n**Fix:** "
                        "train for more epochs (or use a smaller batch size) so that training takes at "
                        "least several hundred updates.",
                    Fault::epoch, value_span(*count, p.fit_call));
        if (!f) return;
        if (updates >= kMinUpdates) f->severity = Severity::Information;
        add_uses(*f, *count, "epoch count");
        add_related(*f, value_span(p.batch_size, p.fit_call), "batch size set here");
        if (count->kind == OriginKind::Literal) {
            int64_t wanted = ceil_div(kTargetUpdates, per_epoch);
            if (auto edit = replace_literal(count->literal, std::to_string(wanted)))
                f->fixes.push_back(
                    make_fix("Train for " + std::to_string(wanted) + " epochs", {*edit}, false));
        }
        return;
    }
    // Loops that count steps (TF1) give the update count directly.
    if (!p.epochs.known() && p.steps.known() && *p.steps > 0 && *p.steps < kMinUpdates) {
        Finding* f = ctx.add("FL141", "the training loop runs only " + std::to_string(*p.steps) + " steps",
                             "Each step is one gradient update; " + std::to_string(*p.steps) +
                                 " are too few for the weights to move far from their initial values.\n\n"
                                 "**Fix:** run more steps.",
                             Fault::epoch, value_span(p.steps, p.fit_call));
        if (!f) return;
        add_uses(*f, p.steps, "step count");
    }
}

void batch_larger_than_data(CheckContext& ctx) {
    const auto& p = ctx.program;
    if (!p.batch_size.known() || !p.data.num_samples.known()) return;
    if (p.batch_size.kind != OriginKind::Literal) return;
    int64_t batch = *p.batch_size, n = *p.data.num_samples;
    if (n <= 0 || batch <= n) return;
    Finding* f =
        ctx.add("FL142",
                "batch size " + std::to_string(batch) + " is larger than the " + std::to_string(n) +
                    " training samples: every epoch is a single update",
                "The framework clamps the batch to the whole training set, so each epoch makes exactly "
                "one gradient step; training needs as many epochs as it needs updates.\n\n**Fix:** use "
                "a batch size well below the number of samples (for example 32) or raise the epochs.",
                Fault::batch_size, value_span(p.batch_size, p.fit_call));
    if (!f) return;
    add_uses(*f, p.batch_size, "batch size");
}

} // namespace

void check_epochs_and_batch(CheckContext& ctx) {
    too_few_updates(ctx);
    batch_larger_than_data(ctx);
}

} // namespace faultline::rules
