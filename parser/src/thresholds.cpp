// A 0.5 threshold (or rounding) applied to logits: `tf.greater(Yhat, 0.5)` where Yhat is what a sigmoid
// cross-entropy "with logits" receives, or `(outputs > 0.5)` on a PyTorch model trained with
// BCEWithLogitsLoss. The threshold belongs to probabilities; on logits it is 0.
#include "extract.h"

#include <functional>
#include <vector>

namespace faultline {

using namespace syntax;

namespace {

bool is_half(std::string_view src, TSNode n) {
    n = unwrap(n);
    if (!is(n, "float")) return false;
    std::string t(text(src, n));
    try {
        return std::stod(t) == 0.5;
    } catch (const std::exception&) {
        return false;
    }
}

// The logits of a TF1 sigmoid cross-entropy: the expressions passed as `logits`.
std::vector<TSNode> tf1_logits(const Context& cx) {
    std::vector<TSNode> out;
    for (const CallSite& c : cx.scope.calls()) {
        const std::string callee = cx.ev.callee(c.call);
        std::string_view name = last_part(callee);
        if (name != "sigmoid_cross_entropy_with_logits" && name != "sigmoid_cross_entropy") continue;
        Args a = call_args(cx.src, c.call);
        // tf.nn.sigmoid_cross_entropy_with_logits(_sentinel, labels, logits);
        // tf.losses.sigmoid_cross_entropy( multi_class_labels, logits).
        TSNode logits = arg(a, name == "sigmoid_cross_entropy" ? 1 : 2, {"logits"});
        if (!null(logits)) out.push_back(through_names(cx, logits));
    }
    return out;
}

// A call of a PyTorch network object (`model(x)`, `net(inputs)`), through names.
bool torch_model_output(const Context& cx, TSNode n) {
    n = through_names(cx, n);
    if (!is(n, "call")) return false;
    TSNode fn = field(n, "function");
    if (!is(fn, "identifier") && !is(fn, "attribute")) return false;
    TSNode made = through_names(cx, fn);
    if (!is(made, "call")) return false;
    std::string callee = cx.ev.callee(made);
    if (last_part(callee) == "Sequential") return true;
    std::string cls = dotted(cx.src, field(made, "function"));
    if (cls.empty()) return false;
    // `.to(device)` / `.cuda()` chains: the receiver is the constructor call.
    return is(cx.scope.definition(cls), "class_definition");
}

bool final_sigmoid(const TrainingProgram& p) {
    for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it) {
        if (it->kind == "Dropout") continue;
        return it->activation.value_or("") == "sigmoid";
    }
    return false;
}

// Pre-order walk with an explicit stack: a script of deeply nested expressions must not exhaust the call
// stack of the language server. `f` returns false to skip a node's children.
void visit(TSNode root, const std::function<bool(TSNode)>& f) {
    std::vector<TSNode> stack{root};
    while (!stack.empty()) {
        TSNode n = stack.back();
        stack.pop_back();
        if (null(n) || !f(n)) continue;
        for (uint32_t i = ts_node_named_child_count(n); i-- > 0;)
            stack.push_back(ts_node_named_child(n, i));
    }
}

} // namespace

void read_logit_thresholds(Context& cx) {
    TrainingProgram& p = cx.prog;
    if (p.loss.name.value_or("") != "binary_crossentropy" || !p.loss.from_logits) return;
    const bool tf1 = p.framework == Framework::TF1;
    const bool torch = p.framework == Framework::PyTorch;
    if (!tf1 && !torch) return;
    if (torch && final_sigmoid(p)) return;
    const std::vector<TSNode> logits = tf1 ? tf1_logits(cx) : std::vector<TSNode>{};
    auto is_logits = [&](TSNode x) {
        if (torch) return torch_model_output(cx, x);
        TSNode target = through_names(cx, x);
        for (TSNode l : logits)
            if (ts_node_eq(l, target)) return true;
        return false;
    };
    const std::string sigmoid = tf1 ? "tf.sigmoid" : "torch.sigmoid";

    std::optional<TrainingProgram::LogitThreshold> found;
    visit(cx.root, [&](TSNode n) {
        if (found) return false;
        if (is(n, "comparison_operator") && ts_node_named_child_count(n) == 2) {
            TSNode a = ts_node_named_child(n, 0), b = ts_node_named_child(n, 1);
            std::string op(text(cx.src, ts_node_child(n, 1)));
            if (op != ">" && op != ">=" && op != "<" && op != "<=") return true;
            TSNode x = is_half(cx.src, b) ? a : is_half(cx.src, a) ? b : TSNode{};
            TSNode half = ts_node_eq(x, a) ? b : a;
            if (!null(x) && is_logits(x)) found = {span(n), span(x), span(half), sigmoid};
            return !found;
        }
        if (is(n, "call")) {
            const std::string callee = cx.ev.callee(n);
            std::string_view name = last_part(callee);
            std::string method = callee_name(cx.src, n);
            Args args = call_args(cx.src, n);
            bool compare = name == "greater" || name == "greater_equal" || name == "less" ||
                           name == "less_equal" || (torch && (name == "gt" || name == "ge"));
            if (compare && args.positional.size() >= 2) {
                TSNode a = args.positional[0], b = args.positional[1];
                TSNode x = is_half(cx.src, b) ? a : is_half(cx.src, a) ? b : TSNode{};
                TSNode half = ts_node_eq(x, a) ? b : a;
                if (!null(x) && is_logits(x)) found = {span(n), span(x), span(half), sigmoid};
            } else if (name == "round" && !args.positional.empty() && is_logits(args.positional[0])) {
                found = {span(n), span(args.positional[0]), std::nullopt, sigmoid};
            } else if (method == "round" && args.positional.empty() && !null(receiver(n)) &&
                       is_logits(receiver(n))) {
                found = {span(n), span(receiver(n)), std::nullopt, sigmoid};
            }
        }
        return !found;
    });
    p.logit_threshold = found;
}

} // namespace faultline
