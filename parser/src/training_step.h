// The calls a hand-written training step makes, seen through the script's own structure: the loop body and
// every function of the script it calls (a `reset_grad()` helper that calls `optimizer.zero_grad()`), with
// the optimizer passed in as a parameter (`def train(model, loader, optimizer)` called from main).
#pragma once

#include "extract.h"

#include <optional>

namespace faultline {

struct StepCalls {
    std::optional<Span> zero_grad;
    std::optional<Span> step; // optimizer.step(), or a hand-written update of the weights from their .grad
};

// What `region` (a loop) calls, directly or through the script's functions it calls (a few levels deep).
// A `.step()` counts when its receiver is a torch.optim optimizer or cannot be told apart from one (a
// parameter no call site binds): an unknown receiver must not make the loop look like it never steps.
StepCalls read_step_calls(const Context& cx, TSNode region);

} // namespace faultline
