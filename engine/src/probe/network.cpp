#include "probe/network.h"

#include "probe/initializers.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace faultline::probe {
namespace {

double param(const Layer& l, const char* name, double fallback) {
    auto it = l.params.find(name);
    if (it == l.params.end()) return fallback;
    return it->second.value_or(fallback);
}

bool explicit_value(const Value<std::string>& v) {
    return v.known() && v.kind != OriginKind::Default;
}

bool is_bounded(const std::string& activation) {
    return activation == "sigmoid" || activation == "tanh" || activation == "hard_sigmoid" ||
           activation == "softsign";
}

struct Context {
    Framework framework = Framework::Keras;
    std::shared_ptr<Observer> observer;
    std::vector<std::string>* notes = nullptr;
    bool torch() const { return framework == Framework::PyTorch; }
};

// Initial values as the framework sets them: Keras names its initializers (defaults glorot_uniform and
// zeros); PyTorch modules initialize themselves unless the script says otherwise.
void init_weight(torch::Tensor w, const Value<std::string>& named, const char* keras_default, const Layer& l,
                 const Context& ctx) {
    if (!w.defined()) return;
    bool named_here = explicit_value(named);
    if (ctx.torch() && !named_here) return;
    InitSettings s;
    s.stddev = param(l, "init_stddev", s.stddev);
    s.minval = param(l, "init_minval", s.minval);
    s.maxval = param(l, "init_maxval", s.maxval);
    std::string name = named_here ? *named : keras_default;
    if (!initialize(w, name, s)) {
        ctx.notes->push_back("initializer '" + name + "' is not known to the probe; used " + keras_default);
        initialize(w, keras_default, s);
    }
}

class ActivatedBlock : public Block {
public:
    ActivatedBlock(std::string activation, double alpha, const Context& ctx)
        : activation_(std::move(activation)), alpha_(alpha), framework_(ctx.framework),
          observer_(ctx.observer) {}

protected:
    torch::Tensor post(const torch::Tensor& x) {
        if (activation_.empty() || activation_ == "linear") return x;
        torch::Tensor y = activate(activation_, x, framework_, alpha_);
        if (observer_->enabled && is_bounded(activation_))
            observer_->bounded_outputs.emplace_back(activation_, y);
        return y;
    }

private:
    std::string activation_;
    double alpha_;
    Framework framework_;
    std::shared_ptr<Observer> observer_;
};

class DenseBlock : public ActivatedBlock {
public:
    DenseBlock(const Layer& l, int64_t in, const Context& ctx)
        : ActivatedBlock(l.activation.value_or("linear"), -1.0, ctx) {
        linear_ = register_module("linear", torch::nn::Linear(in, *l.units));
        init_weight(linear_->weight, l.kernel_initializer, "glorot_uniform", l, ctx);
        init_weight(linear_->bias, l.bias_initializer, "zeros", l, ctx);
    }
    torch::Tensor forward(const torch::Tensor& x) override { return post(linear_->forward(x)); }
    torch::Tensor kernel() const override { return linear_->weight; }

private:
    torch::nn::Linear linear_{nullptr};
};

class ActivationBlock : public ActivatedBlock {
public:
    ActivationBlock(std::string name, double alpha, const Context& ctx)
        : ActivatedBlock(std::move(name), alpha, ctx) {}
    torch::Tensor forward(const torch::Tensor& x) override { return post(x); }
};

class DropoutBlock : public Block {
public:
    explicit DropoutBlock(double rate) : rate_(std::clamp(rate, 0.0, 1.0)) {}
    void seed(uint64_t s) override { gen_ = at::detail::createCPUGenerator(s); }
    torch::Tensor forward(const torch::Tensor& x) override {
        if (!is_training() || rate_ == 0.0) return x;
        if (rate_ >= 1.0) return torch::zeros_like(x);
        // Inverted dropout, as torch::dropout computes it, but with this block's generator.
        auto keep = torch::empty_like(x).bernoulli_(1.0 - rate_, gen_);
        return x * keep / (1.0 - rate_);
    }

private:
    double rate_;
    at::Generator gen_ = at::detail::createCPUGenerator(0);
};

// A layer the parser read as shape-preserving (a custom or unrebuilt layer class, named in a note).
class IdentityBlock : public Block {
public:
    torch::Tensor forward(const torch::Tensor& x) override { return x; }
};

// Keras RepeatVector(n): (batch, features) -> (batch, n, features).
class RepeatBlock : public Block {
public:
    explicit RepeatBlock(int64_t n) : n_(n) {}
    torch::Tensor forward(const torch::Tensor& x) override { return x.unsqueeze(1).expand({-1, n_, -1}); }

private:
    int64_t n_;
};

class FlattenBlock : public Block {
public:
    torch::Tensor forward(const torch::Tensor& x) override { return x.dim() > 2 ? x.flatten(1) : x; }
};

class ReshapeBlock : public Block {
public:
    explicit ReshapeBlock(Shape target) : target_(std::move(target)) {}
    torch::Tensor forward(const torch::Tensor& x) override {
        std::vector<int64_t> sizes{x.size(0)};
        sizes.insert(sizes.end(), target_.begin(), target_.end());
        return x.reshape(sizes);
    }

private:
    Shape target_;
};

// TensorFlow's "same" padding: the total padding is split with the extra element after.
std::vector<int64_t> same_padding(const Shape& spatial, const std::vector<int64_t>& kernel, int64_t stride) {
    std::vector<int64_t> pads; // torch order: last axis first, (before, after) pairs
    for (size_t i = spatial.size(); i-- > 0;) {
        int64_t out = (spatial[i] + stride - 1) / stride;
        int64_t total = std::max<int64_t>((out - 1) * stride + kernel[i] - spatial[i], 0);
        pads.push_back(total / 2);
        pads.push_back(total - total / 2);
    }
    return pads;
}

// Moves Keras' channels-last layout to torch's channels-first and back.
torch::Tensor to_channels_first(const torch::Tensor& x) {
    return x.movedim(-1, 1);
}
torch::Tensor to_channels_last(const torch::Tensor& x) {
    return x.movedim(1, -1);
}

Shape spatial_of(const Shape& in, bool channels_first) {
    return channels_first ? Shape(in.begin() + 1, in.end()) : Shape(in.begin(), in.end() - 1);
}

class ConvBlock : public ActivatedBlock {
public:
    ConvBlock(const Layer& l, const LayerPlan& plan, size_t dims, const Context& ctx)
        : ActivatedBlock(l.activation.value_or("linear"), -1.0, ctx), dims_(dims),
          channels_first_(ctx.torch() || l.channels_first) {
        int64_t in_c = channels_first_ ? plan.in.front() : plan.in.back();
        auto k1 = static_cast<int64_t>(param(l, "kernel_size", 3));
        auto k2 = static_cast<int64_t>(param(l, "kernel_size2", static_cast<double>(k1)));
        auto stride = static_cast<int64_t>(param(l, "strides", 1));
        std::vector<int64_t> kernel = dims == 1 ? std::vector<int64_t>{k1} : std::vector<int64_t>{k1, k2};
        if (l.padding == "same") pads_ = same_padding(spatial_of(plan.in, channels_first_), kernel, stride);
        if (dims == 1) {
            conv1_ = register_module(
                "conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(in_c, *l.units, k1).stride(stride)));
            weight_ = conv1_->weight;
            bias_ = conv1_->bias;
        } else {
            conv2_ = register_module(
                "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_c, *l.units, {k1, k2}).stride(stride)));
            weight_ = conv2_->weight;
            bias_ = conv2_->bias;
        }
        init_weight(weight_, l.kernel_initializer, "glorot_uniform", l, ctx);
        init_weight(bias_, l.bias_initializer, "zeros", l, ctx);
    }
    torch::Tensor forward(const torch::Tensor& x) override {
        torch::Tensor h = channels_first_ ? x : to_channels_first(x);
        if (!pads_.empty()) h = torch::constant_pad_nd(h, pads_, 0);
        h = dims_ == 1 ? conv1_->forward(h) : conv2_->forward(h);
        return post(channels_first_ ? h : to_channels_last(h));
    }
    torch::Tensor kernel() const override { return weight_; }

private:
    size_t dims_;
    bool channels_first_;
    std::vector<int64_t> pads_;
    torch::nn::Conv1d conv1_{nullptr};
    torch::nn::Conv2d conv2_{nullptr};
    torch::Tensor weight_, bias_;
};

class PoolBlock : public Block {
public:
    PoolBlock(const Layer& l, const LayerPlan& plan, size_t dims, bool max, bool channels_first)
        : dims_(dims), max_(max), channels_first_(channels_first) {
        auto p = static_cast<int64_t>(param(l, "pool_size", 2));
        auto s = static_cast<int64_t>(param(l, "strides", static_cast<double>(p)));
        window_.assign(dims, p);
        stride_.assign(dims, s);
        if (l.padding == "same") pads_ = same_padding(spatial_of(plan.in, channels_first), window_, s);
    }
    torch::Tensor forward(const torch::Tensor& x) override {
        torch::Tensor h = channels_first_ ? x : to_channels_first(x);
        torch::Tensor out;
        if (max_) {
            if (!pads_.empty())
                h = torch::constant_pad_nd(h, pads_, -std::numeric_limits<double>::infinity());
            out =
                dims_ == 1 ? torch::max_pool1d(h, window_, stride_) : torch::max_pool2d(h, window_, stride_);
        } else if (pads_.empty()) {
            out =
                dims_ == 1 ? torch::avg_pool1d(h, window_, stride_) : torch::avg_pool2d(h, window_, stride_);
        } else {
            // TensorFlow averages only the real elements of a padded window.
            auto padded = torch::constant_pad_nd(h, pads_, 0);
            auto ones = torch::constant_pad_nd(torch::ones_like(h.select(1, 0).unsqueeze(1)), pads_, 0);
            auto sum = dims_ == 1 ? torch::avg_pool1d(padded, window_, stride_)
                                  : torch::avg_pool2d(padded, window_, stride_);
            auto count = dims_ == 1 ? torch::avg_pool1d(ones, window_, stride_)
                                    : torch::avg_pool2d(ones, window_, stride_);
            out = sum / count;
        }
        return channels_first_ ? out : to_channels_last(out);
    }

private:
    size_t dims_;
    bool max_;
    bool channels_first_;
    std::vector<int64_t> window_, stride_, pads_;
};

class GlobalPoolBlock : public Block {
public:
    GlobalPoolBlock(bool max, bool channels_first) : max_(max), channels_first_(channels_first) {}
    torch::Tensor forward(const torch::Tensor& x) override {
        std::vector<int64_t> axes;
        if (channels_first_)
            for (int64_t i = 2; i < x.dim(); ++i)
                axes.push_back(i);
        else
            for (int64_t i = 1; i + 1 < x.dim(); ++i)
                axes.push_back(i);
        return max_ ? x.amax(axes) : x.mean(axes);
    }

private:
    bool max_;
    bool channels_first_;
};

class BatchNormBlock : public Block {
public:
    BatchNormBlock(int64_t channels, bool channels_first, bool torch_defaults)
        : channels_first_(channels_first) {
        gamma_ = register_parameter("weight", torch::ones({channels}));
        beta_ = register_parameter("bias", torch::zeros({channels}));
        mean_ = register_buffer("running_mean", torch::zeros({channels}));
        var_ = register_buffer("running_var", torch::ones({channels}));
        // Keras: momentum 0.99 on the old value, epsilon 1e-3; torch: momentum 0.1 on the new value, 1e-5.
        momentum_ = torch_defaults ? 0.1 : 0.01;
        eps_ = torch_defaults ? 1e-5 : 1e-3;
    }
    torch::Tensor forward(const torch::Tensor& x) override {
        bool move = !channels_first_ && x.dim() > 2;
        torch::Tensor h = move ? to_channels_first(x) : x;
        h = torch::batch_norm(h, gamma_, beta_, mean_, var_, is_training(), momentum_, eps_, false);
        return move ? to_channels_last(h) : h;
    }

private:
    bool channels_first_;
    torch::Tensor gamma_, beta_, mean_, var_;
    double momentum_, eps_;
};

class EmbeddingBlock : public Block {
public:
    EmbeddingBlock(const Layer& l, const Context& ctx) {
        auto vocab = static_cast<int64_t>(param(l, "input_dim", 1));
        table_ = register_module("embedding", torch::nn::Embedding(vocab, *l.units));
        Value<std::string> keras_default;
        // Keras' embeddings_initializer defaults to uniform(-0.05, 0.05); torch draws N(0, 1).
        init_weight(table_->weight, keras_default, "random_uniform", l, ctx);
    }
    torch::Tensor forward(const torch::Tensor& x) override { return table_->forward(x.to(torch::kLong)); }
    torch::Tensor kernel() const override { return table_->weight; }

private:
    torch::nn::Embedding table_{nullptr};
};

class RecurrentBlock : public Block {
public:
    RecurrentBlock(const Layer& l, int64_t features, bool bidirectional, const Context& ctx)
        : units_(*l.units), sequences_(param(l, "return_sequences", 0) != 0), bidirectional_(bidirectional) {
        kind_ = l.kind;
        if (kind_ == "LSTM") {
            lstm_ = register_module(
                "rnn",
                torch::nn::LSTM(
                    torch::nn::LSTMOptions(features, units_).batch_first(true).bidirectional(bidirectional)));
        } else if (kind_ == "GRU") {
            gru_ = register_module(
                "rnn",
                torch::nn::GRU(
                    torch::nn::GRUOptions(features, units_).batch_first(true).bidirectional(bidirectional)));
        } else {
            std::string act = l.activation.value_or("tanh");
            if (act != "tanh" && act != "relu") {
                ctx.notes->push_back("SimpleRNN activation '" + act + "' is rebuilt as tanh");
                act = "tanh";
            }
            auto options =
                torch::nn::RNNOptions(features, units_).batch_first(true).bidirectional(bidirectional);
            if (act == "relu") options.nonlinearity(torch::kReLU);
            rnn_ = register_module("rnn", torch::nn::RNN(options));
        }
        if (ctx.torch() && !explicit_value(l.kernel_initializer)) return;
        // Keras: glorot_uniform input kernel, orthogonal recurrent kernel, zero bias, forget-gate bias 1
        // (LSTM).
        for (auto& named : named_parameters()) {
            torch::Tensor p = named.value();
            const std::string& key = named.key();
            if (key.find("weight_ih") != std::string::npos) {
                init_weight(p, l.kernel_initializer, "glorot_uniform", l, ctx);
            } else if (key.find("weight_hh") != std::string::npos) {
                Value<std::string> none;
                init_weight(p, none, "orthogonal", l, ctx);
            } else if (key.find("bias") != std::string::npos) {
                torch::NoGradGuard no_grad;
                p.zero_();
                if (kind_ == "LSTM" && key.find("bias_ih") != std::string::npos)
                    p.narrow(0, units_, units_).fill_(1.0);
            }
        }
    }
    torch::Tensor forward(const torch::Tensor& x) override {
        torch::Tensor out, h;
        if (lstm_) {
            auto r = lstm_->forward(x);
            out = std::get<0>(r);
            h = std::get<0>(std::get<1>(r));
        } else if (gru_) {
            std::tie(out, h) = gru_->forward(x);
        } else {
            std::tie(out, h) = rnn_->forward(x);
        }
        if (sequences_) return out;
        return bidirectional_ ? torch::cat({h[0], h[1]}, -1) : h[0];
    }
    torch::Tensor kernel() const override {
        for (const auto& named : named_parameters())
            if (named.key().find("weight_ih_l0") != std::string::npos) return named.value();
        return {};
    }

private:
    std::string kind_;
    int64_t units_;
    bool sequences_;
    bool bidirectional_;
    torch::nn::LSTM lstm_{nullptr};
    torch::nn::GRU gru_{nullptr};
    torch::nn::RNN rnn_{nullptr};
};

class PReLUBlock : public Block {
public:
    PReLUBlock(const Shape& in, bool torch_defaults) {
        // Keras learns one slope per unit starting at 0; torch one shared slope starting at 0.25.
        alpha_ = torch_defaults ? register_parameter("weight", torch::full({1}, 0.25))
                                : register_parameter("weight", torch::zeros(in));
    }
    torch::Tensor forward(const torch::Tensor& x) override {
        return torch::relu(x) - alpha_ * torch::relu(-x);
    }

private:
    torch::Tensor alpha_;
};

class TimeDistributedBlock : public Block {
public:
    explicit TimeDistributedBlock(std::shared_ptr<Block> inner)
        : inner_(register_module("inner", std::move(inner))) {}
    void seed(uint64_t s) override { inner_->seed(s); }
    torch::Tensor forward(const torch::Tensor& x) override {
        auto steps = x.flatten(0, 1);
        auto y = inner_->forward(steps);
        return y.unflatten(0, {x.size(0), x.size(1)});
    }
    torch::Tensor kernel() const override { return inner_->kernel(); }

private:
    std::shared_ptr<Block> inner_;
};

std::shared_ptr<Block> make_block(const Layer& l, const LayerPlan& plan, const Context& ctx) {
    const std::string& k = l.kind;
    bool cf = ctx.torch() || l.channels_first;
    if (k == "Dense") return std::make_shared<DenseBlock>(l, plan.in.back(), ctx);
    if (k == "Activation")
        return std::make_shared<ActivationBlock>(l.activation.value_or("linear"), param(l, "alpha", -1.0),
                                                 ctx);
    if (k == "Softmax") return std::make_shared<ActivationBlock>("softmax", -1.0, ctx);
    if (k == "LeakyReLU")
        return std::make_shared<ActivationBlock>("leaky_relu", param(l, "alpha", ctx.torch() ? 0.01 : 0.3),
                                                 ctx);
    if (k == "ELU") return std::make_shared<ActivationBlock>("elu", param(l, "alpha", 1.0), ctx);
    if (k == "PReLU") return std::make_shared<PReLUBlock>(plan.in, ctx.torch());
    if (k == "Dropout") return std::make_shared<DropoutBlock>(param(l, "rate", 0.5));
    if (k == "Identity") return std::make_shared<IdentityBlock>();
    if (k == "RepeatVector") return std::make_shared<RepeatBlock>(plan.out.front());
    if (k == "Flatten") return std::make_shared<FlattenBlock>();
    if (k == "Reshape") return std::make_shared<ReshapeBlock>(plan.out);
    if (k == "Conv1D") return std::make_shared<ConvBlock>(l, plan, 1, ctx);
    if (k == "Conv2D") return std::make_shared<ConvBlock>(l, plan, 2, ctx);
    if (k == "MaxPooling1D" || k == "AveragePooling1D")
        return std::make_shared<PoolBlock>(l, plan, 1, k[0] == 'M', cf);
    if (k == "MaxPooling2D" || k == "AveragePooling2D")
        return std::make_shared<PoolBlock>(l, plan, 2, k[0] == 'M', cf);
    if (k.rfind("Global", 0) == 0)
        return std::make_shared<GlobalPoolBlock>(k.find("Max") != std::string::npos, cf);
    if (k == "BatchNormalization")
        return std::make_shared<BatchNormBlock>(cf ? plan.in.front() : plan.in.back(), cf, ctx.torch());
    if (k == "Embedding") return std::make_shared<EmbeddingBlock>(l, ctx);
    if (k == "SimpleRNN" || k == "LSTM" || k == "GRU")
        return std::make_shared<RecurrentBlock>(l, plan.in.back(), false, ctx);
    if (k == "Bidirectional")
        return std::make_shared<RecurrentBlock>(l.inner.front(), plan.in.back(), true, ctx);
    if (k == "TimeDistributed")
        return std::make_shared<TimeDistributedBlock>(make_block(l.inner.front(), plan.inner.front(), ctx));
    throw std::invalid_argument("layer kind '" + k + "' is not rebuilt by the probe");
}

} // namespace

torch::Tensor activate(const std::string& name, const torch::Tensor& x, Framework framework, double alpha) {
    if (name == "linear" || name.empty()) return x;
    if (name == "relu") return torch::relu(x);
    if (name == "sigmoid") return torch::sigmoid(x);
    if (name == "tanh") return torch::tanh(x);
    if (name == "softmax") return torch::softmax(x, -1);
    if (name == "log_softmax") return torch::log_softmax(x, -1);
    if (name == "softplus") return torch::softplus(x);
    if (name == "softsign") return x / (1 + x.abs());
    if (name == "selu") return torch::selu(x);
    if (name == "elu") return torch::elu(x, alpha > 0 ? alpha : 1.0);
    if (name == "exponential") return torch::exp(x);
    if (name == "hard_sigmoid") return torch::clamp(0.2 * x + 0.5, 0.0, 1.0);
    if (name == "swish" || name == "silu") return x * torch::sigmoid(x);
    if (name == "gelu") return torch::gelu(x);
    if (name == "relu6") return torch::clamp(x, 0.0, 6.0);
    if (name == "leaky_relu") {
        // tf.nn.leaky_relu slopes 0.2 by default, torch's F.leaky_relu 0.01.
        double slope = alpha >= 0 ? alpha : framework == Framework::PyTorch ? 0.01 : 0.2;
        return torch::leaky_relu(x, slope);
    }
    throw std::invalid_argument("activation '" + name + "' is not known to the probe");
}

void Network::seed_training(uint64_t seed) {
    for (size_t i = 0; i < blocks_.size(); ++i)
        blocks_[i]->seed(seed + i);
}

Network::Network(const TrainingProgram& program, const NetworkPlan& plan) {
    Context ctx{program.framework, observer_, &notes_};
    for (size_t i = 0; i < plan.layers.size(); ++i) {
        const LayerPlan& lp = plan.layers[i];
        auto block = make_block(*lp.layer, lp, ctx);
        block->kind = lp.layer->kind;
        block->layer_index = lp.index;
        blocks_.push_back(register_module("layer" + std::to_string(i), block));
    }
}

torch::Tensor Network::forward(const torch::Tensor& x) {
    torch::Tensor h = x;
    for (auto& b : blocks_)
        h = b->forward(h);
    return h;
}

std::vector<std::pair<size_t, torch::Tensor>> Network::kernels() const {
    std::vector<std::pair<size_t, torch::Tensor>> out;
    for (const auto& b : blocks_) {
        torch::Tensor k = b->kernel();
        if (k.defined()) out.emplace_back(b->layer_index, k);
    }
    return out;
}

} // namespace faultline::probe
