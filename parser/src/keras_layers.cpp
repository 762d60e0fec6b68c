// One Keras layer call: its kind, units, activation, initializers, regularizers, shapes and other settings,
// in every spelling from Keras 1 to tf.keras.
#include "defaults.h"
#include "keras_reader.h"
#include "names.h"

namespace faultline::keras {

using namespace syntax;

std::vector<int64_t> KerasReader::read_shape(TSNode expr) const {
    std::vector<int64_t> shape;
    if (null(expr)) return shape;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Int) return {v.i};
    if (v.kind != Val::Kind::Seq) return shape;
    for (const Val& d : v.items)
        shape.push_back(d.kind == Val::Kind::Int ? d.i : -1);
    return shape;
}

Value<std::string> KerasReader::read_activation(TSNode expr) const {
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Str || v.kind == Val::Kind::None) {
        auto name = v.kind == Val::Kind::None ? std::optional<std::string>("linear") : activation_name(v.s);
        if (name) return from_val<std::string>(v, *name);
        return unknown_value<std::string>(span(expr), "activation '" + v.s + "' is not known");
    }
    TSNode obj = cx_.ev.object_of(expr);
    std::string name = is(obj, "call") ? cx_.ev.callee(obj) : cx_.scope.qualify(dotted(cx_.src, obj));
    if (auto canonical = activation_name(last_part(name))) {
        Value<std::string> out;
        out.value = *canonical;
        out.kind = OriginKind::Literal;
        out.origin = span(obj);
        out.literal = span(obj);
        if (!ts_node_eq(obj, unwrap(expr))) out.uses.push_back(span(expr));
        return out;
    }
    if (cx_.scope.definition(dotted(cx_.src, obj)).id)
        return unknown_value<std::string>(span(expr),
                                          cat({"custom activation function ", quoted(cx_.src, obj), ""}));
    return unknown_value<std::string>(span(expr),
                                      cat({"activation ", quoted(cx_.src, expr), " is not known"}));
}

void KerasReader::read_initializer(Layer& layer, TSNode expr, bool bias) const {
    Value<std::string>& target = bias ? layer.bias_initializer : layer.kernel_initializer;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Str) {
        if (auto name = initializer_name(v.s))
            target = from_val<std::string>(v, *name);
        else
            target = unknown_value<std::string>(span(expr), "initializer '" + v.s + "' is not known");
        return;
    }
    TSNode obj = cx_.ev.object_of(expr);
    std::string full = is(obj, "call") ? cx_.ev.callee(obj) : cx_.scope.qualify(dotted(cx_.src, obj));
    auto name = initializer_name(snake_case(last_part(full)));
    if (!name) {
        target = unknown_value<std::string>(span(expr),
                                            cat({"initializer ", quoted(cx_.src, expr), " is not known"}));
        return;
    }
    target.value = *name;
    target.kind = OriginKind::Literal;
    target.origin = span(obj);
    target.literal = span(obj);
    if (!ts_node_eq(obj, unwrap(expr))) target.uses.push_back(span(expr));
    if (!is(obj, "call")) return;
    Args a = call_args(cx_.src, obj);
    std::string prefix = bias ? "bias_init_" : "init_";
    auto put = [&](const char* key, TSNode n) {
        if (!null(n)) layer.params[prefix + key] = param(n);
    };
    if (*name == "random_normal" || *name == "truncated_normal") {
        put("mean", arg(a, 0, {"mean"}));
        put("stddev", arg(a, 1, {"stddev"}));
    } else if (*name == "random_uniform") {
        put("minval", arg(a, 0, {"minval"}));
        put("maxval", arg(a, 1, {"maxval"}));
    } else if (*name == "constant") {
        put("value", arg(a, 0, {"value"}));
    }
}

void KerasReader::read_regularizer(Layer& layer, TSNode expr) const {
    TSNode obj = cx_.ev.object_of(expr);
    if (!is(obj, "call")) return;
    std::string name(last_part(cx_.ev.callee(obj)));
    Args a = call_args(cx_.src, obj);
    if (name == "l2" || name == "L2")
        layer.params["l2"] = param(arg(a, 0, {"l2", "l"}));
    else if (name == "l1" || name == "L1")
        layer.params["l1"] = param(arg(a, 0, {"l1", "l"}));
    else if (name == "l1_l2" || name == "L1L2") {
        TSNode l1 = arg(a, 0, {"l1"});
        TSNode l2 = arg(a, 1, {"l2"});
        if (!null(l1)) layer.params["l1"] = param(l1);
        if (!null(l2)) layer.params["l2"] = param(l2);
    }
}

void KerasReader::set_pair(Layer& layer, const char* first, const char* second, TSNode expr) const {
    if (null(expr)) return;
    Val v = cx_.ev.eval(expr);
    if (v.kind == Val::Kind::Seq && v.items.size() >= 1) {
        auto one = [&](const Val& item) {
            if (!item.is_number()) return unknown_value<double>(span(expr), "not a number");
            Val copy = item;
            if (!copy.derived && !copy.literal) copy.origin = span(expr);
            return from_val<double>(copy, item.number());
        };
        layer.params[first] = one(v.items[0]);
        if (v.items.size() >= 2) layer.params[second] = one(v.items[1]);
        return;
    }
    layer.params[first] = param(expr);
    layer.params[second] = param(expr);
}

Layer KerasReader::per_step_conv(Layer conv, TSNode call) const {
    cx_.assume(call, "`ConvLSTM2D` is a Conv2D applied at each step: the probe leaves out its recurrence");
    if (conv.activation.kind == OriginKind::Default)
        conv.activation =
            default_value<std::string>("tanh", span(call), "ConvLSTM2D default activation tanh");
    Layer wrapper;
    wrapper.kind = "TimeDistributed";
    wrapper.span = conv.span;
    wrapper.input_shape = std::move(conv.input_shape);
    conv.input_shape.clear();
    wrapper.units = conv.units;
    wrapper.activation = conv.activation;
    wrapper.inner.push_back(std::move(conv));
    return wrapper;
}

std::optional<Layer> KerasReader::read_layer(TSNode expr) {
    std::vector<Span> uses;
    TSNode call = cx_.ev.object_of(expr, &uses);
    if (!is(call, "call")) {
        cx_.note(expr, cat({"layer ", quoted(cx_.src, expr), " cannot be followed"}), true);
        return std::nullopt;
    }
    std::string cls(last_part(cx_.ev.callee(call)));
    if (cls == "InputLayer" || cls == "Input") {
        Args in = call_args(cx_.src, call);
        functional_input_ = read_shape(arg(in, -1, {"input_shape", "shape"}));
        return std::nullopt;
    }
    auto kind = keras_layer_kind(cls);
    // ConvLSTM2D returning its sequence: a Conv2D applied at each step, without the recurrence.
    bool conv_lstm = false;
    if (!kind && cls == "ConvLSTM2D" &&
        cx_.boolean(arg(call_args(cx_.src, call), -1, {"return_sequences"})).value_or(false)) {
        kind = "Conv2D";
        conv_lstm = true;
    }
    if (!kind && cls.empty()) {
        cx_.note(call, cat({"layer ", quoted(cx_.src, call), " is not supported"}), true);
        return std::nullopt;
    }
    if (!kind) {
        // A layer class the rebuild does not know (a custom Layer subclass, ConvLSTM2D, Lambda, Masking):
        // read as passing its input through unchanged, which keeps the rest of the network in place.
        bool own = is(cx_.scope.definition(cls), "class_definition");
        cx_.assume(call, cat({"layer `", cls, "`", own ? " (defined in the script)" : "",
                              " keeps its input's shape: the probe does not rebuild it"}));
        Layer identity;
        identity.kind = "Identity";
        identity.span = span(call);
        Args a = call_args(cx_.src, call);
        TSNode shape = arg(a, -1, {"input_shape"});
        if (!null(shape)) identity.input_shape = read_shape(shape);
        if (!functional_input_.empty() && identity.input_shape.empty() && cx_.prog.layers.empty()) {
            identity.input_shape = functional_input_;
            functional_input_.clear();
        }
        return identity;
    }
    Layer layer;
    layer.kind = *kind;
    layer.span = span(call);
    Args a = call_args(cx_.src, call);
    if (a.has_splat) cx_.note(call, "layer arguments passed through *args/**kwargs are not read");
    const std::string& k = layer.kind;
    bool conv = k == "Conv1D" || k == "Conv2D";
    bool rnn = k == "SimpleRNN" || k == "LSTM" || k == "GRU";
    bool pool = k.find("Pooling") != std::string::npos && k.find("Global") == std::string::npos;

    if (k == "Dense" || rnn) {
        layer.units = cx_.integer(arg(a, 0, {"units", "output_dim"}), "units not given");
    } else if (conv) {
        layer.units = cx_.integer(arg(a, 0, {"filters", "nb_filter"}), "filters not given");
        bool old_conv2d = cls == "Convolution2D" && a.positional.size() >= 3;
        if (k == "Conv2D" && (old_conv2d || !null(arg(a, -1, {"nb_row"})))) {
            layer.params["kernel_size"] = param(arg(a, 1, {"nb_row"}));
            layer.params["kernel_size2"] = param(arg(a, 2, {"nb_col"}));
        } else {
            TSNode ks = arg(a, 1, {"kernel_size", "filter_length"});
            if (k == "Conv2D")
                set_pair(layer, "kernel_size", "kernel_size2", ks);
            else if (!null(ks))
                layer.params["kernel_size"] = param(ks);
        }
        TSNode strides = arg(a, old_conv2d ? -1 : 2, {"strides", "subsample", "subsample_length"});
        if (!null(strides)) set_pair(layer, "strides", "strides2", strides);
    } else if (k == "Embedding") {
        TSNode in = arg(a, 0, {"input_dim"});
        if (!null(in)) layer.params["input_dim"] = param(in);
        layer.units = cx_.integer(arg(a, 1, {"output_dim"}), "output_dim not given");
        TSNode len = arg(a, -1, {"input_length"});
        Val lv = cx_.ev.eval(len);
        if (lv.kind == Val::Kind::Int) layer.input_shape = {lv.i};
    } else if (k == "Dropout") {
        layer.params["rate"] = param(arg(a, 0, {"rate", "p"}));
    } else if (pool) {
        TSNode ps = arg(a, 0, {"pool_size", "pool_length"});
        if (null(ps))
            layer.params["pool_size"] = default_value(2.0, span(call), "Keras default pool size 2");
        else
            set_pair(layer, "pool_size", "pool_size2", ps);
        TSNode strides = arg(a, 1, {"strides", "stride"});
        if (!null(strides)) set_pair(layer, "strides", "strides2", strides);
    } else if (k == "RepeatVector") {
        layer.params["repeats"] = param(arg(a, 0, {"n"}));
    } else if (k == "Reshape") {
        layer.target_shape = read_shape(arg(a, 0, {"target_shape", "dims"}));
    } else if (k == "Bidirectional" || k == "TimeDistributed") {
        if (auto inner = read_layer(arg(a, 0, {"layer"}))) {
            // The wrapper outputs what its inner layer outputs.
            layer.activation = inner->activation;
            layer.units = inner->units;
            layer.inner.push_back(std::move(*inner));
        }
    } else if (k == "LeakyReLU" || k == "ELU") {
        TSNode alpha = arg(a, 0, {"alpha", "negative_slope"});
        layer.params["alpha"] =
            null(alpha) ? default_value(k == "ELU" ? 1.0 : 0.3, span(call)) : param(alpha);
    }

    // Activation: a keyword on most layers, the first argument of Activation, implied by activation layers.
    if (k == "Activation") {
        if (cls == "ReLU")
            layer.activation = from_val<std::string>(literal_value(Val{}, call), "relu");
        else
            layer.activation = read_activation(arg(a, 0, {"activation"}));
    } else if (k == "LeakyReLU" || k == "ELU" || k == "Softmax") {
        std::string act = k == "LeakyReLU" ? "leaky_relu" : k == "ELU" ? "elu" : "softmax";
        layer.activation = from_val<std::string>(literal_value(Val{}, call), act);
        layer.activation.literal.reset();
    } else if (k == "Dense" || conv || rnn) {
        TSNode act = arg(a, k == "Dense" ? 1 : -1, {"activation"});
        if (null(act)) {
            layer.activation = default_value(std::string(default_activation(k)), span(call),
                                             "no activation given: " + std::string(default_activation(k)));
        } else {
            layer.activation = read_activation(act);
        }
    }

    if (k == "Dense" || conv || rnn || k == "Embedding") {
        TSNode ki = arg(a, -1, {"kernel_initializer", "init", "embeddings_initializer"});
        if (null(ki))
            layer.kernel_initializer = default_value<std::string>(
                k == "Embedding" ? "random_uniform" : "glorot_uniform", span(call));
        else
            read_initializer(layer, ki, false);
        if (k != "Embedding") {
            TSNode bi = arg(a, -1, {"bias_initializer"});
            if (null(bi))
                layer.bias_initializer = default_value<std::string>("zeros", span(call));
            else
                read_initializer(layer, bi, true);
        }
        TSNode reg = arg(a, -1, {"kernel_regularizer", "W_regularizer"});
        if (!null(reg)) read_regularizer(layer, reg);
    }
    if (rnn) {
        TSNode rs = arg(a, -1, {"return_sequences"});
        Value<bool> b = cx_.boolean(rs);
        if (b.known())
            layer.params["return_sequences"] = from_val<double>(literal_value(Val{}, rs), *b ? 1.0 : 0.0);
    }
    TSNode padding = arg(a, -1, {"padding", "border_mode"});
    if (!null(padding)) {
        Val pv = cx_.ev.eval(padding);
        if (pv.kind == Val::Kind::Str) layer.padding = pv.s;
    } else if (conv || pool) {
        layer.padding = "valid";
    }
    TSNode fmt = arg(a, -1, {"data_format", "dim_ordering"});
    if (!null(fmt)) {
        Val fv = cx_.ev.eval(fmt);
        layer.channels_first = fv.kind == Val::Kind::Str && (fv.s == "channels_first" || fv.s == "th");
    } else if (conv || pool || k.find("Global") != std::string::npos) {
        layer.channels_first = channels_first_default_;
    }

    // Declared input shape.
    TSNode shape = arg(a, -1, {"input_shape"});
    TSNode batch_shape = arg(a, -1, {"batch_input_shape"});
    TSNode input_dim = arg(a, -1, {"input_dim"});
    if (!null(shape)) {
        layer.input_shape = read_shape(shape);
    } else if (!null(batch_shape)) {
        layer.input_shape = read_shape(batch_shape);
        if (!layer.input_shape.empty()) layer.input_shape.erase(layer.input_shape.begin());
    } else if (!null(input_dim) && k != "Embedding") {
        Value<int64_t> dim = cx_.integer(input_dim);
        layer.params["input_dim"] = param(input_dim);
        if (dim.known())
            layer.input_shape = {*dim};
        else
            cx_.note(input_dim, cat({"input_dim ", quoted(cx_.src, input_dim), ": ", dim.note}));
    }
    if (!functional_input_.empty() && layer.input_shape.empty() && cx_.prog.layers.empty()) {
        layer.input_shape = functional_input_;
        functional_input_.clear();
    }
    if (conv_lstm) return per_step_conv(std::move(layer), call);
    return layer;
}

} // namespace faultline::keras
