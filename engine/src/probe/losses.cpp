#include "probe/losses.h"

#include <cmath>
#include <stdexcept>

namespace faultline::probe {
namespace {

// Keras' backend epsilon: cross-entropies clip probabilities to [kEps, 1 - kEps].
constexpr double kEps = 1e-7;

bool binary_like(const std::string& name) {
    return name == "binary_crossentropy" || name == "hinge" || name == "squared_hinge";
}

// Float targets shaped like the output for element-wise losses.
torch::Tensor dense_target(const torch::Tensor& target, const torch::Tensor& output) {
    torch::Tensor y = target.to(output.scalar_type());
    if (y.dim() == 1 && output.dim() == 2) y = y.unsqueeze(1);
    return y;
}

torch::Tensor class_ids(const torch::Tensor& target) {
    if (target.dim() == 2 && target.size(1) > 1) return target.argmax(1);
    return target.reshape({target.size(0)}).to(torch::kLong);
}

// Per-sample loss, [N].
torch::Tensor per_sample(const LossSpec& s, const torch::Tensor& out, const torch::Tensor& target) {
    const std::string& n = s.name;
    const bool torch_fw = s.framework == Framework::PyTorch;
    if (n == "sparse_categorical_crossentropy") {
        torch::Tensor ids = class_ids(target);
        torch::Tensor logp = s.from_logits ? torch::log_softmax(out, -1)
                                           // Keras takes the log of the clipped probabilities as logits.
                                           : torch::log_softmax(torch::log(out.clamp(kEps, 1 - kEps)), -1);
        return -logp.gather(1, ids.unsqueeze(1)).squeeze(1);
    }
    if (n == "nll") return -out.gather(1, class_ids(target).unsqueeze(1)).squeeze(1);
    if (n == "categorical_crossentropy") {
        torch::Tensor y = target.dim() == 1
                              ? torch::one_hot(target.to(torch::kLong), out.size(-1)).to(out.scalar_type())
                              : target.to(out.scalar_type());
        if (s.from_logits) return -(y * torch::log_softmax(out, -1)).sum(-1);
        if (s.framework == Framework::TF1)
            return -(y * torch::log(out)).sum(-1); // written by hand: no clipping
        torch::Tensor p = out / out.sum(-1, true);
        return -(y * torch::log(p.clamp(kEps, 1 - kEps))).sum(-1);
    }
    torch::Tensor y = dense_target(target, out);
    if (n == "binary_crossentropy") {
        if (s.from_logits)
            return torch::binary_cross_entropy_with_logits(out, y.expand_as(out), {}, {}, at::Reduction::None)
                .mean(-1);
        if (torch_fw)
            return torch::binary_cross_entropy(out, y.expand_as(out), {}, at::Reduction::None).mean(-1);
        torch::Tensor p = out.clamp(kEps, 1 - kEps);
        return -(y * torch::log(p) + (1 - y) * torch::log(1 - p)).mean(-1);
    }
    torch::Tensor diff = out - y;
    if (n == "mean_squared_error") return diff.pow(2).mean(-1);
    if (n == "mean_absolute_error") return diff.abs().mean(-1);
    if (n == "mean_absolute_percentage_error") return 100.0 * (diff.abs() / y.abs().clamp_min(kEps)).mean(-1);
    if (n == "mean_squared_logarithmic_error")
        return (torch::log1p(out.clamp_min(kEps)) - torch::log1p(y.clamp_min(kEps))).pow(2).mean(-1);
    if (n == "hinge" || n == "squared_hinge") {
        // Keras (2.3 and tf.keras) turns 0/1 labels into -1/1 before the margin.
        bool zero_one = ((y == 0) | (y == 1)).all().item<bool>();
        torch::Tensor t = zero_one ? 2 * y - 1 : y;
        torch::Tensor margin = (1 - t * out).clamp_min(0);
        return (n == "hinge" ? margin : margin.pow(2)).mean(-1);
    }
    if (n == "categorical_hinge") {
        torch::Tensor pos = (y * out).sum(-1);
        torch::Tensor neg = ((1 - y) * out).amax(-1);
        return (neg - pos + 1).clamp_min(0);
    }
    if (n == "kl_divergence") {
        torch::Tensor yc = y.clamp(kEps, 1), pc = out.clamp(kEps, 1);
        return (yc * torch::log(yc / pc)).sum(-1);
    }
    if (n == "poisson") return (out - y * torch::log(out + kEps)).mean(-1);
    if (n == "cosine_similarity") {
        auto unit = [](const torch::Tensor& t) { return t / t.pow(2).sum(-1, true).clamp_min(1e-12).sqrt(); };
        return -(unit(y) * unit(out)).sum(-1);
    }
    if (n == "logcosh") return (diff + torch::softplus(-2.0 * diff) - std::log(2.0)).mean(-1);
    if (n == "huber") {
        torch::Tensor a = diff.abs();
        return torch::where(a <= 1.0, 0.5 * diff.pow(2), a - 0.5).mean(-1);
    }
    throw std::invalid_argument("loss '" + n + "' is not known to the probe");
}

} // namespace

bool known_loss(const std::string& n) {
    for (const char* k :
         {"sparse_categorical_crossentropy", "nll", "categorical_crossentropy", "binary_crossentropy",
          "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
          "mean_squared_logarithmic_error", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
          "poisson", "cosine_similarity", "logcosh", "huber"})
        if (n == k) return true;
    return false;
}

torch::Tensor compute_loss(const LossSpec& spec, const torch::Tensor& output, const torch::Tensor& target) {
    torch::Tensor out = output.dim() == 1 ? output.unsqueeze(1) : output;
    torch::Tensor l = per_sample(spec, out, target);
    return spec.sum ? l.sum() : l.mean();
}

double accuracy(const LossSpec& spec, const torch::Tensor& output, const torch::Tensor& target,
                LabelFormat labels) {
    torch::NoGradGuard no_grad;
    if (labels == LabelFormat::Real) return std::nan("");
    torch::Tensor out = output.dim() == 1 ? output.unsqueeze(1) : output;
    bool binary = binary_like(spec.name) || out.size(-1) == 1;
    if (binary) {
        // Keras rounds probabilities; logits and hinge margins change sign at 0.
        double threshold =
            spec.from_logits || spec.name == "hinge" || spec.name == "squared_hinge" ? 0.0 : 0.5;
        torch::Tensor pred = (out > threshold).to(torch::kFloat);
        torch::Tensor y = dense_target(target, out);
        return (pred == (y > 0.5).to(torch::kFloat)).to(torch::kFloat).mean().item<double>();
    }
    torch::Tensor pred = out.argmax(-1);
    return (pred == class_ids(target)).to(torch::kFloat).mean().item<double>();
}

} // namespace faultline::probe
