#include "probe/data.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <stdexcept>

namespace faultline::probe {
namespace {

// Class prototypes live in a small latent space and are spread wide enough (scale 1.5 against unit noise)
// that a correct network separates them within the probe, but not so wide that any network does at once.
constexpr int64_t kLatentDims = 8;
constexpr double kPrototypeScale = 2.0;
constexpr double kFeatureNoise = 0.3;
// Images: a coarse class pattern (up to 4x4 per channel), varied per sample, upsampled, plus pixel noise.
constexpr int64_t kCoarseGrid = 4;
constexpr double kCoarseVariation = 0.25;
constexpr double kPixelNoise = 0.05;
constexpr double kBackground = 0.55;
// Token sequences: each position draws from the class's own tokens with this probability.
constexpr double kClassTokenShare = 0.3;

class Synth {
public:
    explicit Synth(uint64_t seed) : gen_(at::detail::createCPUGenerator(seed)) {}

    torch::Tensor randn(at::IntArrayRef shape) { return torch::randn(shape, gen_); }
    torch::Tensor rand(at::IntArrayRef shape) { return torch::rand(shape, gen_); }
    torch::Tensor randint(int64_t low, int64_t high, at::IntArrayRef shape) {
        return torch::randint(low, high, shape, gen_);
    }
    torch::Tensor randperm(int64_t n) { return torch::randperm(n, gen_); }

private:
    at::Generator gen_;
};

torch::Tensor standardize_columns(const torch::Tensor& x) {
    auto mean = x.mean(0, true);
    auto std = x.std(0, true, true).clamp_min(1e-6);
    return (x - mean) / std;
}

// Standardized features [n, D] to the range the script feeds.
torch::Tensor to_range(const torch::Tensor& z, const TaskSpec& t, Synth& rng) {
    if (t.standardized) return z;
    if (t.raw_columns) {
        auto scales = torch::pow(10.0, 2.0 * rng.rand({1, z.size(1)}));
        return torch::sigmoid(z) * scales;
    }
    return t.input_min + (t.input_max - t.input_min) * torch::sigmoid(1.5 * z);
}

torch::Tensor latent_features(const torch::Tensor& classes, int64_t k, int64_t d, Synth& rng) {
    int64_t n = classes.size(0);
    int64_t r = std::min(d, kLatentDims);
    auto prototypes = rng.randn({k, r}) * kPrototypeScale;
    auto z = prototypes.index_select(0, classes) + rng.randn({n, r});
    auto mix = rng.randn({r, d}) / std::sqrt(static_cast<double>(r));
    return standardize_columns(z.matmul(mix) + kFeatureNoise * rng.randn({n, d}));
}

// Images in [0, 1], [n, C, H, W].
torch::Tensor class_images(const torch::Tensor& classes, int64_t k, int64_t c, int64_t h, int64_t w,
                           Synth& rng) {
    int64_t n = classes.size(0);
    int64_t gh = std::min(h, kCoarseGrid), gw = std::min(w, kCoarseGrid);
    auto prototypes = rng.rand({k, c, gh, gw});
    auto coarse = prototypes.index_select(0, classes) + kCoarseVariation * rng.randn({n, c, gh, gw});
    auto full = torch::upsample_bilinear2d(coarse, {h, w}, false);
    auto img = (full + kPixelNoise * rng.randn({n, c, h, w})).clamp(0.0, 1.0);
    // Grayscale digits are mostly background (an MNIST pixel is 0 four times out of five): keep only the
    // brighter part of the pattern, so the input's scale and sparsity resemble the real data's.
    if (c == 1) img = ((img - kBackground) / (1.0 - kBackground)).clamp(0.0, 1.0);
    return img;
}

struct ImageLayout {
    bool ok = false;
    int64_t c = 1, h = 1, w = 1;
    bool channels_first = false;
    bool flat = false;
};

ImageLayout image_layout(const TaskSpec& t) {
    ImageLayout l;
    const Shape& s = t.input;
    if (s.size() == 3) {
        l.channels_first = t.channels_first;
        l.c = l.channels_first ? s[0] : s[2];
        l.h = l.channels_first ? s[1] : s[0];
        l.w = l.channels_first ? s[2] : s[1];
        l.ok = true;
    } else if (s.size() == 2) {
        l.h = s[0];
        l.w = s[1];
        l.ok = true;
    } else if (s.size() == 1) {
        // Flattened images: 784 = 28x28, 3072 = 32x32x3.
        for (int64_t c : {int64_t{1}, int64_t{3}}) {
            if (s[0] % c != 0) continue;
            auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(s[0] / c))));
            if (side * side * c == s[0]) {
                l = {true, c, side, side, false, true};
                break;
            }
        }
    }
    return l;
}

torch::Tensor make_inputs(const TaskSpec& t, const torch::Tensor& classes, int64_t k, Synth& rng) {
    const int64_t n = classes.size(0);
    if (t.tokens) {
        int64_t length = t.input.empty() ? 1 : t.input.front();
        int64_t vocab = std::max<int64_t>(t.vocabulary, 2);
        // Token 0 is padding in Keras' text datasets; class tokens are disjoint slices of a permutation.
        int64_t per_class = std::max<int64_t>(1, std::min<int64_t>(50, (vocab - 1) / (2 * k)));
        auto perm = rng.randperm(vocab - 1) + 1;
        auto background = rng.randint(1, vocab, {n, length});
        auto pick = rng.randint(0, per_class, {n, length});
        auto slot = (classes.unsqueeze(1) * per_class + pick) % (vocab - 1);
        auto own = perm.index_select(0, slot.flatten()).reshape({n, length});
        auto use_own = rng.rand({n, length}) < kClassTokenShare;
        return torch::where(use_own, own, background);
    }
    if (t.image) {
        ImageLayout l = image_layout(t);
        if (l.ok) {
            auto img = class_images(classes, k, l.c, l.h, l.w, rng);
            img = t.input_min + (t.input_max - t.input_min) * img;
            if (!l.channels_first) img = img.permute({0, 2, 3, 1}).contiguous();
            std::vector<int64_t> shape{n};
            shape.insert(shape.end(), t.input.begin(), t.input.end());
            return img.reshape(shape);
        }
    }
    std::vector<int64_t> shape{n};
    shape.insert(shape.end(), t.input.begin(), t.input.end());
    auto z = latent_features(classes, k, numel(t.input), rng);
    return to_range(z, t, rng).reshape(shape);
}

torch::Tensor format_targets(const torch::Tensor& classes, const TaskSpec& t) {
    switch (t.labels) {
    case LabelFormat::OneHot:
        return torch::one_hot(classes, t.classes).to(torch::kFloat);
    case LabelFormat::Binary:
        return classes.to(torch::kFloat).unsqueeze(1);
    default:
        return classes;
    }
}

Dataset split(const torch::Tensor& x, const torch::Tensor& y, int64_t train) {
    Dataset d;
    d.x_train = x.narrow(0, 0, train);
    d.y_train = y.narrow(0, 0, train);
    d.x_val = x.narrow(0, train, x.size(0) - train);
    d.y_val = y.narrow(0, train, y.size(0) - train);
    return d;
}

Dataset literal_dataset(const TrainingProgram& p, const TaskSpec& t) {
    const auto& xs = p.data.literal_x;
    const auto& ys = p.data.literal_y;
    auto rows = static_cast<int64_t>(xs.size());
    auto xw = static_cast<int64_t>(xs.front().size());
    auto yw = static_cast<int64_t>(ys.front().size());
    if (xw != numel(t.input))
        throw std::invalid_argument("the literal inputs have " + std::to_string(xw) +
                                    " columns but the model expects " + shape_text(t.input));
    auto x = torch::empty({rows, xw});
    auto y = torch::empty({rows, yw});
    for (int64_t i = 0; i < rows; ++i) {
        const auto& xr = xs[static_cast<size_t>(i)];
        const auto& yr = ys[static_cast<size_t>(i)];
        if (static_cast<int64_t>(xr.size()) != xw || static_cast<int64_t>(yr.size()) != yw)
            throw std::invalid_argument("the literal data has rows of different lengths");
        for (int64_t j = 0; j < xw; ++j)
            x[i][j] = xr[static_cast<size_t>(j)];
        for (int64_t j = 0; j < yw; ++j)
            y[i][j] = yr[static_cast<size_t>(j)];
    }
    std::vector<int64_t> shape{rows};
    shape.insert(shape.end(), t.input.begin(), t.input.end());
    x = x.reshape(shape);
    torch::Tensor target;
    if (t.labels == LabelFormat::Integer) {
        target = (yw == 1 ? y.squeeze(1) : y.argmax(1)).round().to(torch::kLong);
    } else if (t.labels == LabelFormat::OneHot && yw == 1) {
        target = torch::one_hot(y.squeeze(1).round().to(torch::kLong).clamp(0, t.classes - 1), t.classes)
                     .to(torch::kFloat);
    } else {
        if (yw != t.target_width && yw != 1)
            throw std::invalid_argument("the literal labels have " + std::to_string(yw) +
                                        " columns but the output has " + std::to_string(t.target_width));
        target = y;
    }
    Dataset d;
    d.x_train = d.x_val = x;
    d.y_train = d.y_val = target;
    return d;
}

} // namespace

Dataset make_dataset(const TrainingProgram& program, const TaskSpec& t, uint64_t seed) {
    if (t.literal) return literal_dataset(program, t);
    Synth rng(seed);
    const int64_t n = t.train_samples + t.val_samples;
    if (t.classification) {
        auto classes = rng.randint(0, t.classes, {n});
        auto x = make_inputs(t, classes, t.classes, rng);
        return split(x, format_targets(classes, t), t.train_samples);
    }
    // Regression: a fixed random teacher (one tanh layer) on the standardized inputs.
    const int64_t width = std::max<int64_t>(t.target_width, 1);
    torch::Tensor x, z;
    if (t.tokens) {
        auto dummy = rng.randint(0, 2, {n});
        x = make_inputs(t, dummy, 2, rng);
        z = standardize_columns(x.to(torch::kFloat));
    } else {
        int64_t d = numel(t.input);
        z = rng.randn({n, d});
        std::vector<int64_t> shape{n};
        shape.insert(shape.end(), t.input.begin(), t.input.end());
        x = (t.image ? t.input_min + (t.input_max - t.input_min) * torch::sigmoid(z) : to_range(z, t, rng))
                .reshape(shape);
    }
    constexpr int64_t kTeacherHidden = 16;
    auto w1 = rng.randn({z.size(1), kTeacherHidden}) * (2.0 / std::sqrt(static_cast<double>(z.size(1))));
    auto w2 = rng.randn({kTeacherHidden, width});
    auto y = torch::tanh(z.matmul(w1)).matmul(w2);
    y = standardize_columns(y) * t.target_std + t.target_mean;
    return split(x, y, t.train_samples);
}

} // namespace faultline::probe
