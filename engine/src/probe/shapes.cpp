#include "probe/shapes.h"

#include <algorithm>
#include <sstream>

namespace faultline::probe {

std::string shape_text(const Shape& s) {
    std::ostringstream out;
    out << '(';
    for (size_t i = 0; i < s.size(); ++i)
        out << (i ? ", " : "") << s[i];
    if (s.size() == 1) out << ',';
    out << ')';
    return out.str();
}

int64_t numel(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s)
        n *= d;
    return n;
}

namespace {

double param(const Layer& l, const char* name, double fallback) {
    auto it = l.params.find(name);
    if (it == l.params.end()) return fallback;
    return it->second.value_or(fallback);
}

bool has_param(const Layer& l, const char* name) {
    auto it = l.params.find(name);
    return it != l.params.end() && it->second.known();
}

bool is_rnn(const std::string& kind) {
    return kind == "SimpleRNN" || kind == "LSTM" || kind == "GRU";
}

int64_t rnn_gates(const std::string& kind) {
    return kind == "LSTM" ? 4 : kind == "GRU" ? 3 : 1;
}

// Output length of a convolution or pooling window along one axis, as TensorFlow computes it.
int64_t window_out(int64_t n, int64_t k, int64_t stride, bool same) {
    if (stride <= 0) stride = 1;
    if (same) return (n + stride - 1) / stride;
    if (n < k) return 0;
    return (n - k) / stride + 1;
}

class Planner {
public:
    Planner(const TrainingProgram& p, bool assumed_input)
        : program_(p), torch_(p.framework == Framework::PyTorch), assumed_before_(assumed_input) {}

    std::optional<PlanProblem> problem;

    bool plan(const Layer& l, size_t index, const Shape& in, LayerPlan& out) {
        // Units the parser could only assume arrive here known but still of kind Unknown.
        if (l.units.known() && l.units.kind == OriginKind::Unknown) assumed_before_ = true;
        out.layer = &l;
        out.index = index;
        out.in = in;
        const std::string& k = l.kind;
        if (k == "Dense") return dense(l, in, out);
        if (k == "Identity") {
            // A layer the parser assumed shape-preserving: what follows it may declare sizes the real layer
            // would produce, so declared input sizes are not checked past it.
            assumed_before_ = true;
            out.out = in;
            return true;
        }
        if (k == "Activation" || k == "Dropout" || k == "LeakyReLU" || k == "ELU" || k == "Softmax") {
            out.out = in;
            return true;
        }
        if (k == "PReLU") {
            out.out = in;
            out.params = torch_ ? 1 : numel(in);
            return true;
        }
        if (k == "Flatten") {
            out.out = {numel(in)};
            return true;
        }
        if (k == "Reshape") return reshape(l, in, out);
        if (k == "RepeatVector") {
            if (in.size() != 1)
                return fault(l, "RepeatVector expects a vector per sample but receives " + shape_text(in));
            if (!has_param(l, "repeats"))
                return skip(l, "the number of repeats of this RepeatVector is unknown");
            out.out = {static_cast<int64_t>(param(l, "repeats", 1)), in.front()};
            return true;
        }
        if (k == "Conv1D" || k == "Conv2D") return conv(l, in, out, k == "Conv1D" ? 1 : 2);
        if (k == "MaxPooling1D" || k == "AveragePooling1D") return pool(l, in, out, 1);
        if (k == "MaxPooling2D" || k == "AveragePooling2D") return pool(l, in, out, 2);
        if (k == "GlobalMaxPooling1D" || k == "GlobalAveragePooling1D") return global_pool(l, in, out, 1);
        if (k == "GlobalMaxPooling2D" || k == "GlobalAveragePooling2D") return global_pool(l, in, out, 2);
        if (k == "BatchNormalization") {
            if (in.empty()) return fault(l, "BatchNormalization needs at least one feature axis");
            int64_t c = channels_first(l) ? in.front() : in.back();
            out.out = in;
            out.params = 2 * c;
            return true;
        }
        if (k == "Embedding") return embedding(l, in, out);
        if (is_rnn(k)) return rnn(l, in, out, 1);
        if (k == "Bidirectional") {
            if (l.inner.size() != 1 || !is_rnn(l.inner.front().kind))
                return skip(l, "Bidirectional without a recurrent layer inside");
            out.inner.emplace_back();
            if (!rnn(l.inner.front(), in, out.inner.back(), 2)) return false;
            out.inner.back().index = index;
            out.out = out.inner.back().out;
            out.params = out.inner.back().params;
            return true;
        }
        if (k == "TimeDistributed") {
            if (l.inner.size() != 1) return skip(l, "TimeDistributed without a wrapped layer");
            if (in.size() < 2)
                return fault(l, "TimeDistributed expects a time axis, but the input is " + shape_text(in));
            out.inner.emplace_back();
            Shape step(in.begin() + 1, in.end());
            if (!plan(l.inner.front(), index, step, out.inner.back())) return false;
            out.out = {in.front()};
            for (int64_t d : out.inner.back().out)
                out.out.push_back(d);
            out.params = out.inner.back().params;
            return true;
        }
        return skip(l, "layer kind '" + k + "' is not rebuilt by the probe yet");
    }

private:
    const TrainingProgram& program_;
    bool torch_;
    bool assumed_before_ = false; // an assumption (layer, units, input axes) was planned before this layer

    bool channels_first(const Layer& l) const { return torch_ || l.channels_first; }

    bool fault(const Layer& l, std::string message, Fault f = Fault::tensor_shape) {
        // Past an assumption (a layer read as shape-preserving, assumed units or input axes) the text does
        // not prove the shapes: the probe stops without a finding.
        if (assumed_before_) return skip(l, message + " (after an assumption of the parser; see its notes)");
        problem = PlanProblem{true, f, kCodeShapeError, l.span, std::move(message)};
        return false;
    }
    bool skip(const Layer& l, std::string message) {
        problem = PlanProblem{false, Fault::layer, "", l.span, std::move(message)};
        return false;
    }

    bool dense(const Layer& l, const Shape& in, LayerPlan& out) {
        if (in.empty()) return fault(l, "Dense receives a scalar input; it needs a feature axis");
        if (!l.units.known() || *l.units <= 0) return skip(l, "the number of units of this Dense is unknown");
        if (torch_ && has_param(l, "in_features") && !assumed_before_) {
            auto declared = static_cast<int64_t>(param(l, "in_features", 0));
            if (declared != in.back())
                return fault(l, "Linear declares in_features=" + std::to_string(declared) +
                                    " but receives inputs of shape " + shape_text(in) +
                                    " (mat1 and mat2 shapes cannot be multiplied)");
        }
        out.out = in;
        out.out.back() = *l.units;
        out.params = in.back() * *l.units + *l.units;
        return true;
    }

    bool reshape(const Layer& l, const Shape& in, LayerPlan& out) {
        Shape target = l.target_shape;
        // PyTorch's x.view(-1, n) names the batch axis; Keras' Reshape never does.
        if (torch_ && target.size() >= 2 && target.front() == -1) target.erase(target.begin());
        if (target.empty()) return skip(l, "the target shape of this reshape is unknown");
        int64_t known = 1, free_axis = -1;
        for (size_t i = 0; i < target.size(); ++i) {
            if (target[i] == -1) {
                if (free_axis >= 0) return fault(l, "a reshape can infer only one axis (-1)");
                free_axis = static_cast<int64_t>(i);
            } else if (target[i] <= 0) {
                return fault(l, "reshape to a non-positive size " + shape_text(target));
            } else {
                known *= target[i];
            }
        }
        int64_t total = numel(in);
        if (free_axis >= 0) {
            if (total % known != 0)
                return fault(l, "cannot reshape " + shape_text(in) + " into " + shape_text(l.target_shape));
            target[static_cast<size_t>(free_axis)] = total / known;
        } else if (known != total) {
            return fault(l, "cannot reshape " + shape_text(in) + " (" + std::to_string(total) +
                                " values) into " + shape_text(target));
        }
        out.out = target;
        return true;
    }

    bool conv(const Layer& l, const Shape& in, LayerPlan& out, size_t dims) {
        const char* expect =
            dims == 1 ? (channels_first(l) ? "(channels, steps)" : "(steps, channels)")
                      : (channels_first(l) ? "(channels, height, width)" : "(height, width, channels)");
        if (in.size() != dims + 1)
            return fault(l,
                         l.kind + " expects per-sample input " + expect + " but receives " + shape_text(in));
        if (!l.units.known() || *l.units <= 0)
            return skip(l, "the number of filters of this convolution is unknown");
        if (!has_param(l, "kernel_size")) return skip(l, "the kernel size of this convolution is unknown");
        int64_t c = channels_first(l) ? in.front() : in.back();
        if (torch_ && has_param(l, "in_channels") && !assumed_before_ &&
            static_cast<int64_t>(param(l, "in_channels", 0)) != c)
            return fault(l, "Conv declares in_channels=" +
                                std::to_string(static_cast<int64_t>(param(l, "in_channels", 0))) +
                                " but receives " + std::to_string(c) + " channels");
        auto k1 = static_cast<int64_t>(param(l, "kernel_size", 3));
        auto k2 = static_cast<int64_t>(param(l, "kernel_size2", static_cast<double>(k1)));
        auto s = static_cast<int64_t>(param(l, "strides", 1));
        bool same = l.padding == "same";
        Shape spatial = channels_first(l) ? Shape(in.begin() + 1, in.end()) : Shape(in.begin(), in.end() - 1);
        int64_t kernel[2] = {k1, k2};
        for (size_t i = 0; i < dims; ++i) {
            spatial[i] = window_out(spatial[i], kernel[i], s, same);
            if (spatial[i] <= 0)
                return fault(l, l.kind + " with kernel " + std::to_string(kernel[i]) +
                                    " does not fit input " + shape_text(in) + " (negative dimension size)");
        }
        out.out = channels_first(l) ? Shape{*l.units} : Shape{};
        out.out.insert(out.out.end(), spatial.begin(), spatial.end());
        if (!channels_first(l)) out.out.push_back(*l.units);
        out.params = (dims == 2 ? k1 * k2 : k1) * c * *l.units + *l.units;
        return true;
    }

    bool pool(const Layer& l, const Shape& in, LayerPlan& out, size_t dims) {
        if (in.size() != dims + 1)
            return fault(l, l.kind + " expects " + std::to_string(dims + 1) +
                                "-D per-sample input but receives " + shape_text(in));
        auto p = static_cast<int64_t>(param(l, "pool_size", 2));
        auto s = static_cast<int64_t>(param(l, "strides", static_cast<double>(p)));
        bool same = l.padding == "same";
        out.out = in;
        size_t first = channels_first(l) ? 1 : 0;
        for (size_t i = first; i < first + dims; ++i) {
            out.out[i] = window_out(in[i], p, s, same);
            if (out.out[i] <= 0)
                return fault(l, l.kind + " with pool size " + std::to_string(p) + " does not fit input " +
                                    shape_text(in));
        }
        return true;
    }

    bool global_pool(const Layer& l, const Shape& in, LayerPlan& out, size_t dims) {
        if (in.size() != dims + 1)
            return fault(l, l.kind + " expects " + std::to_string(dims + 1) +
                                "-D per-sample input but receives " + shape_text(in));
        out.out = {channels_first(l) ? in.front() : in.back()};
        return true;
    }

    bool embedding(const Layer& l, const Shape& in, LayerPlan& out) {
        if (in.size() != 1)
            return fault(l, "Embedding expects a sequence of token ids, not " + shape_text(in));
        if (!has_param(l, "input_dim")) return skip(l, "the vocabulary size of this Embedding is unknown");
        if (!l.units.known() || *l.units <= 0) return skip(l, "the output size of this Embedding is unknown");
        auto vocab = static_cast<int64_t>(param(l, "input_dim", 0));
        out.out = {in.front(), *l.units};
        out.params = vocab * *l.units;
        return true;
    }

    bool rnn(const Layer& l, const Shape& in, LayerPlan& out, int64_t directions) {
        out.layer = &l;
        out.in = in;
        if (in.size() != 2)
            return fault(l, l.kind + " expects per-sample input (timesteps, features) but receives " +
                                shape_text(in));
        if (!l.units.known() || *l.units <= 0)
            return skip(l, "the number of units of this " + l.kind + " is unknown");
        int64_t u = *l.units;
        bool sequences = param(l, "return_sequences", 0) != 0;
        out.out = sequences ? Shape{in.front(), u * directions} : Shape{u * directions};
        out.params = directions * rnn_gates(l.kind) * (in.back() * u + u * u + 2 * u);
        return true;
    }
};

// A shape with an unknown axis (the parser writes -1) tells nothing the probe can build on.
bool usable(const Shape& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](int64_t d) { return d > 0; });
}

Shape resolve_input(const TrainingProgram& p) {
    const Layer& first = p.layers.front();
    if (usable(first.input_shape)) return first.input_shape;
    if (usable(p.data.input_shape)) return p.data.input_shape;
    if (!p.data.literal_x.empty() && !p.data.literal_x.front().empty())
        return {static_cast<int64_t>(p.data.literal_x.front().size())};
    if (first.kind == "Dense") {
        auto it = first.params.find("in_features");
        if (it != first.params.end() && it->second.known()) return {static_cast<int64_t>(*it->second)};
    }
    if (first.kind == "Embedding") {
        auto it = first.params.find("input_length");
        // Keras accepts any length here; the probe picks a short review-sized sequence.
        constexpr int64_t kDefaultSequenceLength = 32;
        return {it != first.params.end() && it->second.known() ? static_cast<int64_t>(*it->second)
                                                               : kDefaultSequenceLength};
    }
    return {};
}

} // namespace

NetworkPlan plan_network(const TrainingProgram& program) {
    NetworkPlan plan;
    if (program.layers.empty()) {
        plan.problem = PlanProblem{false, Fault::layer, "", program.model_span, "no model was found"};
        return plan;
    }
    plan.input = resolve_input(program);
    const Shape& declared = !program.layers.front().input_shape.empty() ? program.layers.front().input_shape
                                                                        : program.data.input_shape;
    if (!usable(plan.input) && !declared.empty() &&
        std::all_of(declared.begin(), declared.end(), [](int64_t d) { return d > 0 || d == -1; })) {
        // Axes the script leaves open or computes at run time (`input_shape=(None, 40, 40, 1)`,
        // `(maxlen, len(chars))`): each gets the modest size the probe assumes for unknown widths.
        constexpr int64_t kAssumedAxis = 16;
        plan.input = declared;
        for (int64_t& d : plan.input)
            if (d == -1) d = kAssumedAxis;
        plan.assumed_input = true;
    }
    if (!usable(plan.input) && program.layers.front().kind == "Dense") {
        // A table read at run time (pandas, CSV) leaves the width unknown. The faults the probe looks for do
        // not hinge on it, so it assumes a modest width and says so.
        constexpr int64_t kAssumedFeatures = 16;
        plan.input = {kAssumedFeatures};
        plan.assumed_input = true;
    }
    if (plan.input.empty() ||
        std::any_of(plan.input.begin(), plan.input.end(), [](int64_t d) { return d <= 0; })) {
        plan.problem = PlanProblem{false, Fault::tensor_shape, "", program.model_span,
                                   "the input shape of the model is unknown"};
        return plan;
    }
    plan.token_input = program.layers.front().kind == "Embedding";
    Planner planner(program, plan.assumed_input);
    Shape current = plan.input;
    for (size_t i = 0; i < program.layers.size(); ++i) {
        LayerPlan lp;
        if (!planner.plan(program.layers[i], i, current, lp)) {
            plan.problem = planner.problem;
            return plan;
        }
        current = lp.out;
        plan.parameters += lp.params;
        plan.activations_per_sample += numel(lp.out);
        plan.layers.push_back(std::move(lp));
    }
    return plan;
}

uint64_t estimate_bytes(const NetworkPlan& plan, int64_t batch_size, int64_t samples) {
    constexpr uint64_t kFloat = 4;
    constexpr uint64_t kCopiesPerParameter = 4;  // weight, gradient, two optimizer moments
    constexpr uint64_t kCopiesPerActivation = 3; // output, its gradient, what autograd saves
    auto p = static_cast<uint64_t>(std::max<int64_t>(plan.parameters, 0));
    auto a = static_cast<uint64_t>(std::max<int64_t>(plan.activations_per_sample, 0));
    auto b = static_cast<uint64_t>(std::max<int64_t>(batch_size, 1));
    auto n = static_cast<uint64_t>(std::max<int64_t>(samples, 0));
    // Evaluation passes run on up to 512 rows at a time without gradients.
    uint64_t eval_rows = std::max<uint64_t>(b, 512);
    return kFloat * (kCopiesPerParameter * p + kCopiesPerActivation * a * b + a * eval_rows +
                     n * static_cast<uint64_t>(numel(plan.input)));
}

namespace {

// Fitted to LibTorch 1.13 with OpenBLAS, one thread, on the development machine while other builds ran
// (`probe_bench --calibrate`, docs/probe.md): matrix products at about 30 GMAC/s, convolutions 50, recurrent
// cells 20 plus a fixed cost per timestep; every step, layer and activation value costs a little on top.
// Measurements under load varied by 2-3x, so the model is rough; the loop's hard stop bounds the error.
constexpr double kDenseRate = 30e9, kConvRate = 50e9, kRecurrentRate = 20e9;
constexpr double kPerStep = 1.5e-4, kPerLayer = 5e-5, kPerTimestep = 1e-4, kPerValue = 3e-9;
constexpr double kBackwardFactor = 3.0; // forward + backward + update, in multiply-adds

double layer_seconds(const LayerPlan& lp, double rows) {
    const std::string& k = lp.layer->kind;
    const double out = static_cast<double>(numel(lp.out));
    double s = kPerLayer + kPerValue * kBackwardFactor * rows * out;
    if (k == "Dense" && !lp.in.empty()) {
        s += kBackwardFactor * rows * static_cast<double>(numel(lp.in)) * static_cast<double>(lp.out.back()) /
             kDenseRate;
    } else if (k == "Conv1D" || k == "Conv2D") {
        // Each output value takes (parameters per filter) multiply-adds.
        auto filters = static_cast<double>(std::max<int64_t>(lp.layer->units.value_or(1), 1));
        s += kBackwardFactor * rows * out * static_cast<double>(lp.params) / filters / kConvRate;
    } else if (is_rnn(k) || k == "Bidirectional") {
        const double steps = lp.in.empty() ? 1.0 : static_cast<double>(lp.in.front());
        s += kBackwardFactor * rows * steps * static_cast<double>(lp.params) / kRecurrentRate;
        s += steps * kPerTimestep * (k == "Bidirectional" ? 2.0 : 1.0);
    } else if (k == "TimeDistributed" && !lp.inner.empty() && !lp.in.empty()) {
        s += layer_seconds(lp.inner.front(), rows * static_cast<double>(lp.in.front()));
    }
    return s;
}

} // namespace

double estimate_step_seconds(const NetworkPlan& plan, int64_t batch_size) {
    const auto rows = static_cast<double>(std::max<int64_t>(batch_size, 1));
    double seconds = kPerStep;
    for (const auto& lp : plan.layers)
        seconds += layer_seconds(lp, rows);
    return seconds;
}

} // namespace faultline::probe
