// Keras and tf.keras: which model is trained, compile() and fit().
#include "defaults.h"
#include "keras_reader.h"
#include "names.h"

#include <algorithm>

namespace faultline {
namespace keras {

using namespace syntax;

namespace {

bool is_model_class(std::string_view name) {
    return name == "Sequential" || name == "Model";
}

// Return statements of a function body, not of nested functions.
void collect_returns(TSNode n, std::vector<TSNode>& out) {
    std::vector<TSNode> stack{n};
    while (!stack.empty()) {
        TSNode cur = stack.back();
        stack.pop_back();
        auto kids = named_children(cur);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) {
            if (is(*it, "function_definition") || is(*it, "class_definition")) continue;
            if (is(*it, "return_statement"))
                out.push_back(*it);
            else
                stack.push_back(*it);
        }
    }
    // The stack visits in text order except across nesting levels; callers want text order.
    std::sort(out.begin(), out.end(),
              [](const TSNode& a, const TSNode& b) { return ts_node_start_byte(a) < ts_node_start_byte(b); });
}

} // namespace

TSNode KerasReader::model_creation(TSNode expr) const {
    TSNode obj = cx_.ev.object_of(expr);
    // `def train(model, ...): model.fit(...)` ... `train(model, ...)`: the model passed at the call.
    for (int hops = 0; hops < 4 && is(obj, "identifier"); ++hops) {
        TSNode passed = passed_argument(cx_, obj);
        if (null(passed)) break;
        obj = cx_.ev.object_of(passed);
    }
    for (int hops = 0; hops < 8 && is(obj, "call"); ++hops) {
        std::string name(last_part(cx_.ev.callee(obj)));
        if (is_model_class(name) || !null(subclass_of(obj))) return obj;
        // `model = build_model()`: the model is what the function returns.
        TSNode def = cx_.scope.definition(dotted(cx_.src, field(obj, "function")));
        if (!is(def, "function_definition")) break;
        std::vector<TSNode> returns;
        collect_returns(field(def, "body"), returns);
        if (returns.empty()) break;
        auto kids = named_children(returns.back());
        if (kids.empty()) break;
        obj = cx_.ev.object_of(kids[0]);
    }
    return TSNode{};
}

// The last call `<model>.<method>(...)` on the model (any model when `model` is null).
TSNode KerasReader::training_call(std::initializer_list<std::string_view> methods, TSNode model) const {
    TSNode found{};
    for (const CallSite& c : cx_.scope.calls()) {
        if (std::find(methods.begin(), methods.end(), c.method) == methods.end()) continue;
        TSNode recv = receiver(c.call);
        if (null(recv)) continue;
        TSNode m = model_creation(recv);
        if (null(m)) continue;
        if (!null(model) && !ts_node_eq(m, model)) continue;
        found = c.call;
    }
    return found;
}

void KerasReader::run() {
    for (const CallSite& c : cx_.scope.calls()) {
        if (c.method != "set_image_dim_ordering" && c.method != "set_image_data_format") continue;
        Val v = cx_.ev.eval(arg(call_args(cx_.src, c.call), 0, {"dim_ordering", "data_format"}));
        if (v.kind == Val::Kind::Str) channels_first_default_ = v.s == "th" || v.s == "channels_first";
    }
    TSNode fit = training_call({"fit", "fit_generator", "train_on_batch"}, TSNode{});
    TSNode model = null(fit) ? TSNode{} : model_creation(receiver(fit));
    if (null(model)) {
        TSNode compile = training_call({"compile"}, TSNode{});
        if (!null(compile)) model = model_creation(receiver(compile));
    }
    if (null(model)) {
        for (const CallSite& c : cx_.scope.calls()) {
            if (is_model_class(last_part(cx_.scope.qualify(c.callee))) &&
                cx_.scope.qualify(c.callee).find("keras") != std::string::npos) {
                model = c.call;
                break;
            }
        }
    }
    if (null(model)) {
        cx_.note(cx_.root, "no Keras model (Sequential or Model) found", true);
    } else if (TSNode cls = subclass_of(model); !null(cls)) {
        cx_.prog.model_span = span(cls);
        read_subclass(cls);
    } else {
        cx_.prog.model_span = span(model);
        if (last_part(cx_.ev.callee(model)) == "Sequential")
            read_sequential(model);
        else
            read_functional(model);
    }
    TSNode compile = training_call({"compile"}, model);
    if (null(compile))
        cx_.note(null(model) ? cx_.root : model, "model.compile(...) not found");
    else
        read_compile(compile);
    if (null(fit)) fit = training_call({"fit", "fit_generator", "train_on_batch"}, model);
    if (null(fit)) {
        cx_.note(null(model) ? cx_.root : model, "model.fit(...) not found");
        fill_data_fallback(cx_);
    } else {
        read_fit(fit);
    }
    // The network sees the shape its first layer declares; the data's shape is the fallback.
    if (!cx_.prog.layers.empty() && !cx_.prog.layers.front().input_shape.empty())
        cx_.prog.data.input_shape = cx_.prog.layers.front().input_shape;
}

void KerasReader::read_compile(TSNode call) {
    cx_.prog.compile_call = span(call);
    Args a = call_args(cx_.src, call);
    TSNode opt = arg(a, 0, {"optimizer"});
    TSNode loss = arg(a, 1, {"loss"});
    if (null(opt)) {
        // compile() without an optimizer uses 'rmsprop'.
        Optimizer& o = cx_.prog.optimizer;
        o.call = span(call);
        o.name = default_value<std::string>("rmsprop", span(call), "compile() default optimizer");
        auto lr = default_lr(fw_, "rmsprop");
        if (lr) o.lr = default_value(*lr, span(call));
        o.lr_keyword = preferred_lr_keyword(fw_);
    } else {
        read_optimizer(opt);
    }
    if (null(loss))
        cx_.prog.loss.name = unknown_value<std::string>(span(call), "compile() without a loss");
    else
        read_loss(loss);
}

void KerasReader::read_optimizer(TSNode expr) {
    Optimizer& o = cx_.prog.optimizer;
    Val v = cx_.ev.eval(expr);
    std::string name;
    if (v.kind == Val::Kind::Str) {
        auto canonical = optimizer_name(v.s);
        o.written_as_string = true;
        o.call = v.origin;
        if (!canonical) {
            o.name = unknown_value<std::string>(span(expr), "optimizer '" + v.s + "' is not known");
            return;
        }
        name = *canonical;
        o.name = from_val<std::string>(v, name);
        o.lr_keyword = preferred_lr_keyword(fw_);
    } else {
        std::vector<Span> uses;
        TSNode call = cx_.ev.object_of(expr, &uses);
        std::string cls = is(call, "call") ? std::string(last_part(cx_.ev.callee(call))) : std::string();
        auto canonical = optimizer_name(cls.empty() ? last_part(dotted(cx_.src, call)) : cls);
        if (!canonical) {
            o.call = span(expr);
            o.name = unknown_value<std::string>(span(expr),
                                                cat({"optimizer ", quoted(cx_.src, expr), " is not known"}));
            cx_.note(expr, o.name.note);
            return;
        }
        name = *canonical;
        o.name.value = name;
        o.name.kind = OriginKind::Literal;
        o.name.origin = span(is(call, "call") ? field(call, "function") : call);
        o.name.literal = o.name.origin;
        o.name.uses = uses;
        o.call = span(call);
        if (is(call, "call")) {
            Args a = call_args(cx_.src, call);
            TSNode lr = arg(a, 0, {"lr", "learning_rate"});
            o.lr_keyword = preferred_lr_keyword(fw_);
            for (const auto& [kw, node] : a.keywords)
                if (kw == "lr" || kw == "learning_rate") o.lr_keyword = kw;
            if (!null(lr) && !a.positional.empty() && ts_node_eq(lr, a.positional[0])) o.lr_keyword = "";
            if (!null(lr)) {
                o.lr = cx_.number(lr);
                if (!o.lr.known()) {
                    TSNode sched = cx_.ev.object_of(lr);
                    if (is(sched, "call"))
                        o.lr.note = cat({"learning-rate schedule ", quoted(cx_.src, sched), ""});
                }
            }
            bool sgd = name == "sgd";
            TSNode momentum = arg(a, sgd ? 1 : -1, {"momentum"});
            TSNode decay = arg(a, sgd ? 2 : -1, {"decay"});
            TSNode nesterov = arg(a, sgd ? 3 : -1, {"nesterov"});
            if (!null(momentum)) o.momentum = cx_.number(momentum);
            if (!null(decay)) o.decay = cx_.number(decay);
            if (!null(nesterov)) o.nesterov = cx_.boolean(nesterov);
        }
    }
    if (!o.lr.known() && o.lr.note.empty()) {
        if (auto lr = default_lr(fw_, name))
            o.lr = default_value(*lr, o.call);
        else
            o.lr = unknown_value<double>(o.call, "no default learning rate for " + name);
    }
    if (name == "sgd" || name == "rmsprop") {
        if (!o.momentum.known() && o.momentum.note.empty()) o.momentum = default_value(0.0, o.call);
    }
    if (name == "sgd" && !o.nesterov.known() && o.nesterov.note.empty())
        o.nesterov = default_value(false, o.call);
    if (!o.decay.known() && o.decay.note.empty()) o.decay = default_value(0.0, o.call);
}

void KerasReader::read_loss(TSNode expr) {
    Loss& l = cx_.prog.loss;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Str) {
        l.written_as_string = true;
        l.call = v.origin;
        if (auto name = loss_name(v.s))
            l.name = from_val<std::string>(v, *name);
        else
            l.name = unknown_value<std::string>(span(expr), "loss '" + v.s + "' is not known");
        return;
    }
    std::vector<Span> uses;
    TSNode obj = cx_.ev.object_of(expr, &uses);
    l.call = span(obj);
    if (is(obj, "call")) {
        std::string cls(last_part(cx_.ev.callee(obj)));
        auto name = loss_name(cls);
        if (!name) name = loss_name(snake_case(cls));
        if (!name) {
            l.name =
                unknown_value<std::string>(span(obj), cat({"loss ", quoted(cx_.src, obj), " is not known"}));
            return;
        }
        l.name.value = *name;
        l.name.kind = OriginKind::Literal;
        l.name.origin = span(field(obj, "function"));
        l.name.literal = l.name.origin;
        l.name.uses = uses;
        Args a = call_args(cx_.src, obj);
        Value<bool> logits = cx_.boolean(arg(a, -1, {"from_logits"}));
        l.from_logits = logits.value_or(false);
        return;
    }
    std::string ref = dotted(cx_.src, obj);
    if (!ref.empty() && cx_.scope.definition(ref).id) {
        l.name = unknown_value<std::string>(span(expr), cat({"custom loss function `", ref, "`"}));
        return;
    }
    if (auto name = loss_name(last_part(ref))) {
        l.name.value = *name;
        l.name.kind = OriginKind::Literal;
        l.name.origin = span(obj);
        l.name.literal = span(obj);
        l.name.uses = uses;
        return;
    }
    l.name = unknown_value<std::string>(span(expr), cat({"loss ", quoted(cx_.src, expr), " is not known"}));
}

void KerasReader::read_fit(TSNode call) {
    TrainingProgram& p = cx_.prog;
    p.fit_call = span(call);
    Args a = call_args(cx_.src, call);
    std::string method = callee_name(cx_.src, call);
    bool generator = method == "fit_generator";
    TSNode epochs = arg(a, generator ? 2 : 3, {"epochs", "nb_epoch"});
    if (method == "train_on_batch") {
        p.epochs = unknown_value<int64_t>(span(call), "train_on_batch in a hand-written loop");
    } else if (null(epochs)) {
        p.epochs = default_value<int64_t>(kKerasDefaultEpochs, span(call), "fit() default epochs (Keras 2)");
    } else {
        p.epochs = cx_.integer(epochs);
    }
    TSNode x = arg(a, 0, {"x", "generator"});
    TSNode y = arg(a, 1, {"y"});
    // A generator (`datagen.flow(x, y, batch_size=32)`, also passed to fit in Keras >= 2.1) carries the data
    // and the batch size.
    TSNode gen = cx_.ev.object_of(x);
    bool flow = is(gen, "call") &&
                (callee_name(cx_.src, gen) == "flow" || callee_name(cx_.src, gen) == "flow_from_directory");
    if (flow && callee_name(cx_.src, gen) == "flow") {
        Args g = call_args(cx_.src, gen);
        x = arg(g, 0, {"x"});
        y = arg(g, 1, {"y"});
        TSNode bs = arg(g, 2, {"batch_size"});
        p.batch_size = null(bs) ? default_value<int64_t>(kKerasDefaultBatchSize, span(gen)) : cx_.integer(bs);
    } else if (generator || flow) {
        p.batch_size = unknown_value<int64_t>(span(call), "batch size is set by the generator");
        x = y = TSNode{};
    } else {
        TSNode bs = arg(a, 2, {"batch_size"});
        if (null(bs))
            p.batch_size =
                default_value<int64_t>(kKerasDefaultBatchSize, span(call), "fit() default batch size");
        else
            p.batch_size = cx_.integer(bs);
    }
    TSNode vs = arg(a, -1, {"validation_split"});
    if (!null(vs)) p.data.validation_split = cx_.number(vs).value_or(0.0);
    p.data.has_validation_data = !null(arg(a, -1, {"validation_data"}));
    if (null(x))
        fill_data_fallback(cx_);
    else
        fill_data(cx_, x, y);
    if (flow) apply_generator_scaling(p.data, gen);
}

// `ImageDataGenerator(rescale=1./255)` (or its feature/sample normalization) scales what `datagen.flow(...)`
// feeds the network, however raw the arrays it is given are.
void KerasReader::apply_generator_scaling(Data& data, TSNode flow_call) {
    TSNode receiver = field(field(flow_call, "function"), "object");
    if (null(receiver)) return;
    TSNode ctor = cx_.ev.object_of(receiver);
    if (!is(ctor, "call") || callee_name(cx_.src, ctor) != "ImageDataGenerator") return;
    Args g = call_args(cx_.src, ctor);
    TSNode rescale = arg(g, -1, {"rescale"});
    bool normalizes = false;
    for (const char* key :
         {"featurewise_std_normalization", "samplewise_std_normalization", "preprocessing_function"})
        if (!null(arg(g, -1, {key}))) normalizes = true;
    if (null(rescale) && !normalizes) return;
    data.scaled.value = true;
    data.scaled.kind = OriginKind::Literal;
    data.scaled.origin = span(ctor);
    data.scaled.literal.reset();
    data.scaled.note = "scaled by the ImageDataGenerator that feeds fit";
    Value<double> factor;
    if (!null(rescale)) factor = cx_.number(rescale);
    if (factor.known() && data.input_max.known() && data.input_min.known()) {
        data.input_max.value = *data.input_max * *factor;
        data.input_min.value = *data.input_min * *factor;
    } else if (normalizes) {
        data.input_min = unknown_value<double>(span(ctor), "normalized by the ImageDataGenerator");
        data.input_max = unknown_value<double>(span(ctor), "normalized by the ImageDataGenerator");
    }
}

} // namespace keras

void extract_keras(Context& cx) {
    keras::KerasReader reader(cx);
    reader.run();
}

} // namespace faultline
