// Correct base programs for the corpus: the shapes real training scripts have (MLPs for binary, multi-class
// and regression tasks, CNNs on images, embeddings + recurrent layers on text), small and wide, with settings
// a practitioner would pick.
#include "faultline/engine/train.h"

#include <array>

#include "diagnose/program_facts.h"

namespace faultline::corpus {

namespace {

template <class T, size_t N> const T& pick(std::mt19937_64& rng, const std::array<T, N>& options) {
    return options[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}
int64_t between(std::mt19937_64& rng, int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}
bool chance(std::mt19937_64& rng, double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

void sensible_optimizer(ProgramConfig& c, std::mt19937_64& rng) {
    const double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.5) {
        c.optimizer = "adam";
        c.lr = pick(rng, std::array<double, 3>{0.001, 0.001, 0.002});
    } else if (r < 0.75) {
        c.optimizer = "sgd";
        c.lr = pick(rng, std::array<double, 3>{0.01, 0.05, 0.1});
        if (chance(rng, 0.4)) c.momentum = 0.9;
    } else {
        c.optimizer = "rmsprop";
        c.lr = 0.001;
    }
}

// Large batches are fine on large datasets (a few hundred steps per epoch remain); real scripts use them
// often.
void large_batch(ProgramConfig& c, std::mt19937_64& rng) {
    const int64_t rows = c.samples > 0 ? c.samples : 10000;
    if (rows >= 10000 && chance(rng, 0.25))
        c.batch_size = pick(rng, std::array<int64_t, 4>{256, 512, 1000, 2000});
}

// Half of the Keras programs name the optimizer as a string and take its default learning rate.
void maybe_string_optimizer(ProgramConfig& c, std::mt19937_64& rng) {
    if (c.flavour != Flavour::Keras || !chance(rng, 0.4)) return;
    c.optimizer_as_string = true;
    c.momentum = 0.0;
    c.lr = diag::default_lr(c.optimizer, Framework::Keras);
}

void classification_head(ProgramConfig& c, std::mt19937_64& rng) {
    if (c.task == Task::Binary) {
        c.output_units = 1;
        c.output_activation = "sigmoid";
        c.loss = "binary_crossentropy";
    } else if (c.task == Task::Multiclass) {
        c.output_units = c.classes;
        if (c.flavour == Flavour::PyTorch) {
            // nn.CrossEntropyLoss takes logits: no activation on the last layer.
            c.output_activation = "linear";
            c.loss = "sparse_categorical_crossentropy";
        } else {
            c.output_activation = "softmax";
            c.loss = chance(rng, 0.7) ? "categorical_crossentropy" : "sparse_categorical_crossentropy";
        }
    } else {
        c.output_units = 1;
        c.output_activation = "linear";
        c.loss = chance(rng, 0.75) ? "mean_squared_error" : "mean_absolute_error";
    }
}

void make_mlp(ProgramConfig& c, std::mt19937_64& rng) {
    c.shape = Shape::Mlp;
    const double r = std::uniform_real_distribution<double>(0, 1)(rng);
    if (r < 0.3) {
        c.task = Task::Binary;
        c.dataset = "random";
        c.classes = 2;
        c.features = pick(rng, std::array<int64_t, 5>{8, 16, 20, 32, 64});
    } else if (r < 0.55) {
        c.task = Task::Multiclass;
        c.dataset = "random";
        c.classes = between(rng, 3, 10);
        c.features = pick(rng, std::array<int64_t, 4>{16, 20, 32, 100});
    } else if (r < 0.75) {
        c.task = Task::Multiclass;
        c.dataset = chance(rng, 0.6) ? "mnist" : "fashion_mnist";
        c.classes = 10;
        c.features = 784;
    } else if (r < 0.88) {
        c.task = Task::Regression;
        c.dataset = "boston_housing";
        c.features = 13;
        c.classes = 0;
    } else {
        c.task = Task::Regression;
        c.dataset = "random";
        c.features = pick(rng, std::array<int64_t, 3>{8, 10, 20});
        c.classes = 0;
    }
    // The PyTorch renderer knows random tensors and torchvision's MNIST.
    if (c.flavour == Flavour::PyTorch && c.dataset != "random" && c.dataset != "mnist") {
        c.dataset = "random";
        c.features = c.task == Task::Regression ? 13 : 64;
    }
    c.samples = c.dataset == "random" ? pick(rng, std::array<int64_t, 3>{500, 1000, 2000}) : 0;
    const bool wide = chance(rng, 0.25);
    const int64_t depth = between(rng, 1, 3);
    const std::string act = chance(rng, 0.8) ? "relu" : "tanh";
    for (int64_t i = 0; i < depth; ++i) {
        const int64_t units = wide ? pick(rng, std::array<int64_t, 2>{256, 512})
                                   : pick(rng, std::array<int64_t, 4>{16, 32, 64, 128});
        c.hidden.push_back({"Dense", units, act, 0.0});
        if (wide && c.flavour == Flavour::Keras && chance(rng, 0.4))
            c.hidden.push_back({"Dropout", 0, "", 0.2});
    }
    classification_head(c, rng);
    sensible_optimizer(c, rng);
    maybe_string_optimizer(c, rng);
    c.epochs = between(rng, 5, 40);
    c.batch_size = pick(rng, std::array<int64_t, 4>{16, 32, 64, 128});
    large_batch(c, rng);
}

void make_cnn(ProgramConfig& c, std::mt19937_64& rng) {
    c.shape = Shape::Cnn;
    c.task = Task::Multiclass;
    c.classes = 10;
    c.dataset = c.flavour == Flavour::PyTorch
                    ? "mnist"
                    : pick(rng, std::array<std::string, 3>{"mnist", "fashion_mnist", "cifar10"});
    const int64_t blocks = between(rng, 1, 2);
    for (int64_t i = 0; i < blocks; ++i) {
        c.hidden.push_back({"Conv2D", pick(rng, std::array<int64_t, 3>{8, 16, 16}), "relu", 0.0});
        c.hidden.push_back({"MaxPooling2D", 0, "", 0.0});
    }
    c.hidden.push_back({"Flatten", 0, "", 0.0});
    c.hidden.push_back({"Dense", pick(rng, std::array<int64_t, 3>{32, 64, 128}), "relu", 0.0});
    classification_head(c, rng);
    sensible_optimizer(c, rng);
    maybe_string_optimizer(c, rng);
    c.epochs = between(rng, 5, 20);
    c.batch_size = pick(rng, std::array<int64_t, 3>{32, 64, 128});
    large_batch(c, rng);
}

void make_rnn(ProgramConfig& c, std::mt19937_64& rng) {
    c.shape = Shape::Rnn;
    c.flavour = Flavour::Keras;
    if (chance(rng, 0.65)) {
        c.dataset = "imdb";
        c.task = Task::Binary;
        c.classes = 2;
    } else {
        c.dataset = "reuters";
        c.task = Task::Multiclass;
        c.classes = 46;
    }
    c.vocabulary = pick(rng, std::array<int64_t, 3>{1000, 5000, 10000});
    c.features = pick(rng, std::array<int64_t, 3>{20, 30, 40});
    c.hidden.push_back({"Embedding", pick(rng, std::array<int64_t, 3>{16, 32, 64}), "", 0.0});
    c.hidden.push_back(
        {chance(rng, 0.6) ? "LSTM" : "GRU", pick(rng, std::array<int64_t, 3>{16, 32, 64}), "", 0.0});
    classification_head(c, rng);
    sensible_optimizer(c, rng);
    maybe_string_optimizer(c, rng);
    if (c.optimizer == "sgd") {
        c.optimizer = "adam";
        c.lr = 0.001;
    }
    c.epochs = between(rng, 3, 12);
    c.batch_size = pick(rng, std::array<int64_t, 3>{32, 64, 128});
    large_batch(c, rng);
}

} // namespace

ProgramConfig make_base(uint64_t seed, int64_t index) {
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), 0x5eedu};
    std::mt19937_64 rng(seq);
    ProgramConfig c;
    char id[32];
    std::snprintf(id, sizeof id, "b%05lld", static_cast<long long>(index));
    c.id = id;
    c.flavour = chance(rng, 0.15) ? Flavour::PyTorch : Flavour::Keras;
    const double r = std::uniform_real_distribution<double>(0, 1)(rng);
    c.separate_activations = c.flavour == Flavour::Keras && chance(rng, 0.3);
    if (r < 0.6 || (c.flavour == Flavour::PyTorch && r >= 0.85))
        make_mlp(c, rng);
    else if (r < 0.85)
        make_cnn(c, rng);
    else
        make_rnn(c, rng);
    return c;
}

} // namespace faultline::corpus
