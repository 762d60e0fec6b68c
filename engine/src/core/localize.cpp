// Localization: each fault type maps to the statement that sets its value. A value's origin (`lr = 0.1`) is
// preferred over the place it is used (`SGD(lr=lr)`), which becomes related information, so the editor shows
// the line to change and still links to where it matters.
#include "faultline/engine/localize.h"

#include "faultline/engine/activations.h"

#include "rules/check_context.h"

namespace faultline {
namespace {

void add(Location& loc, const Span& span, std::string message) {
    if (span.empty() || span == loc.range) return;
    for (const auto& r : loc.related)
        if (r == span) return;
    loc.related.push_back(span);
    loc.related_messages.push_back(std::move(message));
}

// A Location at a value: its origin (or literal), with its use sites related. nullopt when the value has no
// span at all and `fallback` is empty.
template <class T>
std::optional<Location> at_value(const Value<T>& v, const Span& fallback, const std::string& what) {
    Location loc;
    loc.range = rules::value_span(v, fallback);
    if (loc.range.empty()) return std::nullopt;
    for (const auto& use : v.uses)
        add(loc, use, what + " used here");
    return loc;
}

std::optional<Location> at_span(const Span& span) {
    if (span.empty()) return std::nullopt;
    return Location{span, {}, {}};
}

std::optional<Location> locate_lr(const TrainingProgram& p) {
    const auto& lr = p.optimizer.lr;
    // A default has no statement of its own: point at the optimizer call that takes it, where a fix inserts
    // it.
    Span fallback = p.optimizer.call;
    auto loc = at_value(lr, fallback, "learning rate");
    if (!loc) return std::nullopt;
    if (lr.kind == OriginKind::Default) {
        loc->range = p.optimizer.call.empty() ? loc->range : p.optimizer.call;
    } else if (!p.optimizer.call.empty()) {
        add(*loc, p.optimizer.call, "optimizer using this learning rate");
    }
    return loc;
}

std::optional<Location> locate_act(const TrainingProgram& p) {
    rules::OutputInfo out = rules::output_info(p);
    if (out.activation_layer) {
        Location loc;
        loc.range = rules::activation_site(*out.activation_layer, *out.activation);
        if (loc.range.empty()) return std::nullopt;
        for (const auto& use : out.activation->uses)
            add(loc, use, "activation used here");
        // A default taken by a PyTorch layer: its constructor is where the layer is defined.
        if (out.activation->kind == OriginKind::Default)
            add(loc, out.activation->origin, "layer defined here");
        if (out.layer && out.layer != out.activation_layer) add(loc, out.layer->span, "output layer");
        return loc;
    }
    // No Dense head: the last Activation layer, else the last layer.
    for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it)
        if (it->kind == "Activation") return at_value(it->activation, it->span, "activation");
    if (p.layers.empty()) return std::nullopt;
    const Layer& last = p.layers.back();
    return at_value(last.activation, last.span, "activation");
}

// The hidden layers' activations: the first written one that is not the output's, preferring one that
// saturates or is linear (what the hidden_activation type is about), the rest related.
std::optional<Location> locate_hidden_activation(const TrainingProgram& p) {
    const rules::OutputInfo out = rules::output_info(p);
    std::vector<Span> sites;
    std::optional<size_t> chosen;
    for (const auto& layer : p.layers) {
        if (&layer == out.activation_layer || &layer == out.layer) continue;
        if (!layer.activation.known() || layer.activation.kind == OriginKind::Default) continue;
        const Span site = rules::activation_site(layer, layer.activation);
        if (site.empty()) continue;
        if (!chosen && hinders_hidden_layers(*layer.activation.value)) chosen = sites.size();
        sites.push_back(site);
    }
    if (sites.empty()) return std::nullopt;
    Location loc{sites[chosen.value_or(0)], {}, {}};
    for (const auto& s : sites)
        add(loc, s, "hidden activation");
    return loc;
}

std::optional<Location> locate_weight_init(const TrainingProgram& p) {
    std::optional<Location> loc;
    for (const auto& layer : p.layers) {
        for (const auto* init : {&layer.kernel_initializer, &layer.bias_initializer}) {
            if (init->kind != OriginKind::Literal) continue;
            Span s = rules::value_span(*init, layer.span);
            if (!loc)
                loc = Location{s, {}, {}};
            else
                add(*loc, s, "initializer");
        }
    }
    if (loc) return loc;
    if (p.layers.empty()) return at_span(p.model_span);
    return at_span(p.layers.front().span);
}

std::optional<Location> locate_regularization(const TrainingProgram& p) {
    std::optional<Location> loc;
    for (const auto& layer : p.layers) {
        for (const char* key : {"l1", "l2"}) {
            auto it = layer.params.find(key);
            if (it == layer.params.end() || it->second.kind != OriginKind::Literal) continue;
            Span s = rules::value_span(it->second, layer.span);
            if (!loc)
                loc = Location{s, {}, {}};
            else
                add(*loc, s, "regularizer");
        }
        auto rate = layer.params.find("rate");
        if (layer.kind == "Dropout" && rate != layer.params.end() && !loc)
            loc = at_value(rate->second, layer.span, "dropout rate");
    }
    if (loc) return loc;
    return at_span(p.model_span);
}

} // namespace

std::optional<Location> locate(Fault fault, const TrainingProgram& p) {
    switch (fault) {
    case Fault::lr:
        return locate_lr(p);
    case Fault::opt: {
        auto loc = at_value(p.optimizer.name, p.optimizer.call, "optimizer");
        if (loc) add(*loc, p.compile_call, "compiled here");
        return loc;
    }
    case Fault::loss: {
        auto loc = at_value(p.loss.name, p.loss.call, "loss");
        if (loc) add(*loc, p.compile_call, "compiled here");
        return loc;
    }
    case Fault::act:
        return locate_act(p);
    case Fault::epoch: {
        if (p.epochs.known() || !p.epochs.origin.empty())
            return at_value(p.epochs, p.fit_call, "epoch count");
        if (p.steps.known() || !p.steps.origin.empty()) return at_value(p.steps, p.fit_call, "step count");
        if (p.loop.present) return at_span(p.loop.loop);
        return at_span(p.fit_call);
    }
    case Fault::batch_size:
        return at_value(p.batch_size, p.fit_call, "batch size");
    case Fault::weight_init:
        return locate_weight_init(p);
    case Fault::hidden_activation:
        return locate_hidden_activation(p);
    case Fault::data_preprocessing: {
        auto loc = at_value(p.data.scaled, p.data.source.origin, "scaled data");
        if (loc) add(*loc, p.fit_call, "trained here");
        return loc;
    }
    case Fault::training_data:
        return at_value(p.data.source, p.fit_call, "data");
    case Fault::regularization:
        return locate_regularization(p);
    case Fault::layer:
    case Fault::tensor_shape:
        return at_span(p.model_span.empty() && !p.layers.empty() ? p.layers.front().span : p.model_span);
    case Fault::api:
        return at_span(p.fit_call.empty() ? p.compile_call : p.fit_call);
    }
    return std::nullopt;
}

} // namespace faultline
