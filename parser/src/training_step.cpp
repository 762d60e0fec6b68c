#include "training_step.h"

#include <cctype>
#include <vector>

namespace faultline {

using namespace syntax;

namespace {

// How deep calls into the script's own functions are followed from the loop: train() -> step() -> helper.
constexpr int kMaxHelperDepth = 3;

bool inside(TSNode outer, TSNode inner) {
    return ts_node_start_byte(inner) >= ts_node_start_byte(outer) &&
           ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

// The function definition a call of the script's own function runs, or null.
TSNode called_definition(const Context& cx, TSNode call) {
    TSNode fn = unwrap(field(call, "function"));
    if (!is(fn, "identifier")) return {};
    const Binding* b = cx.scope.lookup(fn);
    if (!b || b->kind != Binding::Kind::Def || !is(b->value, "function_definition")) return {};
    return b->value;
}

// The regions whose statements run when `region` runs: itself and the bodies of the script's functions it
// calls, transitively.
void collect_regions(const Context& cx, TSNode region, int depth, std::vector<TSNode>& out) {
    for (TSNode seen : out)
        if (ts_node_eq(seen, region)) return;
    out.push_back(region);
    if (depth >= kMaxHelperDepth) return;
    for (const CallSite& c : cx.scope.calls()) {
        if (!inside(region, c.call)) continue;
        TSNode def = called_definition(cx, c.call);
        if (!null(def) && !inside(def, region)) collect_regions(cx, field(def, "body"), depth + 1, out);
    }
}

// torch.optim.lr_scheduler.StepLR, a scheduler class of another library (OneCycleScheduler, CosineLR).
bool is_scheduler(const std::string& callee) {
    const std::string_view cls = last_part(callee);
    return callee.find("lr_scheduler") != std::string::npos ||
           cls.find("Scheduler") != std::string_view::npos ||
           (cls.size() > 2 && cls.substr(cls.size() - 2) == "LR");
}

// Whether the object `expr` stands for may be an optimizer: false only when it is known to be a learning-rate
// scheduler, whose step() changes no weight. A parameter is followed to what its call sites pass.
bool may_be_optimizer(const Context& cx, TSNode expr, int depth) {
    if (depth > kMaxHelperDepth) return true;
    TSNode obj = cx.ev.object_of(expr);
    if (null(obj)) return true;
    if (is(obj, "call")) return !is_scheduler(cx.ev.callee(obj));
    if (!is(obj, "identifier")) return true; // self.optimizer, optimizers[0]: not followed
    const Binding* b = cx.scope.lookup(obj);
    if (!b || b->kind != Binding::Kind::Param) return true;
    TSNode def = b->func;
    std::string_view fname = text(cx.src, field(def, "name"));
    int position = 0;
    for (TSNode p : named_children(field(def, "parameters"))) {
        if (ts_node_eq(p, b->stmt)) break;
        ++position;
    }
    bool called = false;
    for (const CallSite& c : cx.scope.calls()) {
        if (c.callee != fname) continue;
        TSNode given = arg(call_args(cx.src, c.call), position, {text(cx.src, b->target)});
        if (null(given) || may_be_optimizer(cx, given, depth + 1)) return true;
        called = true;
    }
    return !called; // never called plainly (a method, a callback): unknown
}

// `.grad` as an attribute (not `.grad_fn`).
bool mentions_grad(std::string_view s) {
    for (size_t at = s.find(".grad"); at != std::string_view::npos; at = s.find(".grad", at + 1)) {
        size_t end = at + 5;
        if (end == s.size()) return true;
        char c = s[end];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return true;
    }
    return false;
}

// A hand-written update of the weights from their gradients: `w -= lr * w.grad`,
// `p.data.add_(p.grad, alpha=-lr)`.
std::optional<Span> manual_update(const Context& cx, TSNode region) {
    std::vector<TSNode> stack{region};
    while (!stack.empty()) {
        TSNode n = stack.back();
        stack.pop_back();
        if (is(n, "augmented_assignment") && mentions_grad(text(cx.src, field(n, "right")))) return span(n);
        if (is(n, "call")) {
            std::string method = callee_name(cx.src, n);
            if (!method.empty() && method.back() == '_' && method != "zero_" && !null(receiver(n)) &&
                mentions_grad(text(cx.src, field(n, "arguments"))))
                return span(n);
        }
        for (TSNode child : named_children(n))
            stack.push_back(child);
    }
    return std::nullopt;
}

} // namespace

StepCalls read_step_calls(const Context& cx, TSNode region) {
    StepCalls out;
    std::vector<TSNode> regions;
    collect_regions(cx, region, 0, regions);
    // Text order within the loop first, then the helpers in the order they were reached.
    for (TSNode r : regions) {
        for (const CallSite& c : cx.scope.calls()) {
            if (!inside(r, c.call)) continue;
            if (c.method == "zero_grad" && !out.zero_grad) out.zero_grad = span(c.call);
            if (c.method == "step" && !out.step && !null(receiver(c.call)) &&
                may_be_optimizer(cx, receiver(c.call), 0))
                out.step = span(c.call);
        }
        if (!out.step) out.step = manual_update(cx, r);
    }
    return out;
}

} // namespace faultline
