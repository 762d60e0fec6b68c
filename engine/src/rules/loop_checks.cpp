// FL161-FL164: the hand-written PyTorch training loop. Facts from the torch.optim and autograd documentation:
// gradients accumulate into .grad until cleared, backward() computes them, step() applies them; eval()
// switches dropout and batch-norm to inference behaviour and no_grad() stops recording the graph.
#include "rules/checks.h"

namespace faultline::rules {

void check_training_loop(CheckContext& ctx) {
    const auto& p = ctx.program;
    const auto& loop = p.loop;
    if (p.framework != Framework::PyTorch || !loop.present) return;
    // Only a loop that visibly trains (calls at least one of the three) is checked: a loop that calls none is
    // more likely a helper this reader does not follow than a training loop that forgot everything.
    bool trains = loop.zero_grad || loop.backward || loop.step;
    if (trains && !loop.backward) {
        if (Finding* f =
                ctx.add("FL162", "the training loop never calls loss.backward(): no gradients are computed",
                        "Without `loss.backward()` the parameters' `.grad` stay empty, so "
                        "`optimizer.step()` changes nothing and the model never learns.\n\n**Fix:** call "
                        "`loss.backward()` after computing the loss and before `optimizer.step()`.",
                        loop.loop))
            if (loop.step) add_related(*f, *loop.step, "step without gradients");
    }
    if (trains && !loop.step) {
        if (Finding* f =
                ctx.add("FL163", "the training loop never calls optimizer.step(): the weights never change",
                        "`loss.backward()` only computes gradients; `optimizer.step()` is what applies "
                        "them to the weights.\n\n**Fix:** call `optimizer.step()` after "
                        "`loss.backward()`.",
                        loop.loop))
            if (loop.backward) add_related(*f, *loop.backward, "gradients computed here");
    }
    if (trains && loop.backward && loop.step && !loop.zero_grad) {
        if (Finding* f = ctx.add(
                "FL161", "the training loop never calls zero_grad(): gradients accumulate across batches",
                "PyTorch adds each `backward()` into `.grad`. Without `optimizer.zero_grad()` every "
                "step applies the sum of all past gradients, an ever larger and staler update "
                "that makes training diverge or oscillate.\n\n**Fix:** call "
                "`optimizer.zero_grad()` at the start of each iteration.",
                loop.loop)) {
            add_related(*f, *loop.backward, "gradients accumulated here");
            add_related(*f, *loop.step, "applied here");
        }
    }
    if (loop.validation_without_no_grad && loop.validation) {
        ctx.add("FL164", "validation runs without model.eval() / torch.no_grad()",
                "In training mode dropout stays active and batch normalisation uses batch statistics, so the "
                "validation numbers are noisy and pessimistic; without `torch.no_grad()` the graph is also "
                "recorded, which costs memory.\n\n**Fix:** wrap validation in `model.eval()` and "
                "`with torch.no_grad():`, then call `model.train()` before training resumes.",
                *loop.validation);
    }
}

} // namespace faultline::rules
