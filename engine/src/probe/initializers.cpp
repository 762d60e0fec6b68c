#include "probe/initializers.h"

#include <cmath>

namespace faultline::probe {
namespace {

struct Fans {
    double in = 1.0;
    double out = 1.0;
};

Fans fans(const torch::Tensor& w) {
    if (w.dim() < 2) {
        double n = w.dim() == 1 ? static_cast<double>(w.size(0)) : 1.0;
        return {n, n};
    }
    double receptive = 1.0;
    for (int64_t i = 2; i < w.dim(); ++i)
        receptive *= static_cast<double>(w.size(i));
    return {static_cast<double>(w.size(1)) * receptive, static_cast<double>(w.size(0)) * receptive};
}

// Normal samples redrawn until they fall within two standard deviations, as Keras' truncated_normal does.
void truncated_normal(torch::Tensor& w, double stddev) {
    w.normal_(0.0, stddev);
    for (int attempt = 0; attempt < 64; ++attempt) {
        auto outside = w.abs() > 2.0 * stddev;
        if (!outside.any().item<bool>()) return;
        w.masked_scatter_(outside, torch::randn_like(w).mul_(stddev).masked_select(outside));
    }
    w.clamp_(-2.0 * stddev, 2.0 * stddev);
}

// Keras' VarianceScaling with distribution="truncated_normal" divides by this constant, the standard
// deviation of a unit normal truncated at two standard deviations.
constexpr double kTruncatedStd = 0.87962566103423978;

} // namespace

std::string canonical_initializer(const std::string& raw) {
    std::string n = raw;
    if (!n.empty() && n.back() == '_') n.pop_back(); // torch.nn.init.xavier_uniform_
    if (n == "xavier_uniform") return "glorot_uniform";
    if (n == "xavier_normal") return "glorot_normal";
    if (n == "kaiming_uniform") return "he_uniform";
    if (n == "kaiming_normal") return "he_normal";
    if (n == "normal" || n == "randomnormal" || n == "RandomNormal") return "random_normal";
    if (n == "uniform" || n == "randomuniform" || n == "RandomUniform") return "random_uniform";
    if (n == "zero" || n == "Zeros") return "zeros";
    if (n == "one" || n == "Ones") return "ones";
    if (n == "trunc_normal" || n == "TruncatedNormal") return "truncated_normal";
    if (n == "GlorotUniform") return "glorot_uniform";
    if (n == "GlorotNormal") return "glorot_normal";
    if (n == "HeNormal") return "he_normal";
    if (n == "HeUniform") return "he_uniform";
    if (n == "Orthogonal") return "orthogonal";
    return n;
}

bool initialize(torch::Tensor& w, const std::string& raw, const InitSettings& s) {
    torch::NoGradGuard no_grad;
    const std::string name = canonical_initializer(raw);
    const Fans f = fans(w);
    if (name == "glorot_uniform") {
        double limit = std::sqrt(6.0 / (f.in + f.out));
        w.uniform_(-limit, limit);
    } else if (name == "glorot_normal") {
        truncated_normal(w, std::sqrt(2.0 / (f.in + f.out)) / kTruncatedStd);
    } else if (name == "he_uniform") {
        double limit = std::sqrt(6.0 / f.in);
        w.uniform_(-limit, limit);
    } else if (name == "he_normal") {
        truncated_normal(w, std::sqrt(2.0 / f.in) / kTruncatedStd);
    } else if (name == "lecun_uniform") {
        double limit = std::sqrt(3.0 / f.in);
        w.uniform_(-limit, limit);
    } else if (name == "lecun_normal") {
        truncated_normal(w, std::sqrt(1.0 / f.in) / kTruncatedStd);
    } else if (name == "random_normal") {
        w.normal_(0.0, s.stddev);
    } else if (name == "truncated_normal") {
        truncated_normal(w, s.stddev);
    } else if (name == "random_uniform") {
        w.uniform_(s.minval, s.maxval);
    } else if (name == "zeros") {
        w.zero_();
    } else if (name == "ones") {
        w.fill_(1.0);
    } else if (name == "orthogonal") {
        if (w.dim() < 2) return false;
        torch::nn::init::orthogonal_(w);
    } else {
        return false;
    }
    return true;
}

} // namespace faultline::probe
