// Fault seeding: DeepFD's mutation operators plus milder and wider variants. Each operator changes one
// setting of the config and records what it did.
#include "faultline/engine/train.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <set>

#include "diagnose/program_facts.h"

namespace faultline::corpus {

namespace {

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

template <class T> T pick_other(std::mt19937_64& rng, const std::vector<T>& options, const T& current) {
    std::vector<T> others;
    for (const auto& o : options)
        if (o != current) others.push_back(o);
    return others[std::uniform_int_distribution<size_t>(0, others.size() - 1)(rng)];
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
}
int64_t between(std::mt19937_64& rng, int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

bool probabilistic(const std::string& loss) {
    return loss == "categorical_crossentropy" || loss == "sparse_categorical_crossentropy" ||
           loss == "binary_crossentropy" || loss == "nll";
}

void record(ProgramConfig& c, Operator op, const std::string& what) {
    const Fault f = fault_of(op);
    if (std::find(c.seeded.begin(), c.seeded.end(), f) == c.seeded.end()) c.seeded.push_back(f);
    c.mutations.push_back(std::string(to_string(op)) + ": " + what);
}

// The operators that rewrite the optimizer statement: its class, or its rate.
bool rewrites_optimizer(Operator op) {
    return fault_of(op) == Fault::opt || fault_of(op) == Fault::lr;
}

} // namespace

const std::vector<Operator>& all_operators() {
    static const std::vector<Operator> ops = {
        Operator::LossFamily,       Operator::LrHigh,    Operator::LrTiny,        Operator::LrMild,
        Operator::EpochsDivide,     Operator::EpochsFew, Operator::OptimizerSwap, Operator::LastActivation,
        Operator::HiddenActivation, Operator::BatchSize, Operator::WeightInit,    Operator::DropScaling};
    return ops;
}

const char* to_string(Operator op) {
    switch (op) {
    case Operator::LossFamily:
        return "loss_family";
    case Operator::LrHigh:
        return "lr_high";
    case Operator::LrTiny:
        return "lr_tiny";
    case Operator::LrMild:
        return "lr_mild";
    case Operator::EpochsDivide:
        return "epochs_divide";
    case Operator::EpochsFew:
        return "epochs_few";
    case Operator::OptimizerSwap:
        return "optimizer_swap";
    case Operator::LastActivation:
        return "last_activation";
    case Operator::HiddenActivation:
        return "hidden_activation";
    case Operator::BatchSize:
        return "batch_size";
    case Operator::WeightInit:
        return "weight_init";
    case Operator::DropScaling:
        return "drop_scaling";
    }
    return "unknown";
}

Fault fault_of(Operator op) {
    switch (op) {
    case Operator::LossFamily:
        return Fault::loss;
    case Operator::LrHigh:
    case Operator::LrTiny:
    case Operator::LrMild:
        return Fault::lr;
    case Operator::EpochsDivide:
    case Operator::EpochsFew:
        return Fault::epoch;
    case Operator::OptimizerSwap:
        return Fault::opt;
    case Operator::LastActivation:
        return Fault::act;
    case Operator::HiddenActivation:
        return Fault::hidden_activation;
    case Operator::BatchSize:
        return Fault::batch_size;
    case Operator::WeightInit:
        return Fault::weight_init;
    case Operator::DropScaling:
        return Fault::data_preprocessing;
    }
    return Fault::api;
}

bool apply(Operator op, ProgramConfig& c, std::mt19937_64& rng) {
    switch (op) {
    case Operator::LossFamily: {
        const std::string before = c.loss;
        if (probabilistic(c.loss))
            c.loss = pick_other<std::string>(rng, {"mean_squared_error", "mean_absolute_error"}, "");
        else
            c.loss =
                c.task == Task::Regression || c.output_units == 1
                    ? std::string("binary_crossentropy")
                    : pick_other<std::string>(rng, {"categorical_crossentropy", "binary_crossentropy"}, "");
        record(c, op, before + " -> " + c.loss);
        return true;
    }
    case Operator::LrHigh: {
        const double before = c.lr;
        c.optimizer_as_string = false;
        c.lr = std::round(uniform(rng, 1.0, 10.0) * 10) / 10;
        record(c, op, fmt(before) + " -> " + fmt(c.lr));
        return true;
    }
    case Operator::LrTiny: {
        const double before = c.lr;
        c.optimizer_as_string = false;
        c.lr = std::pow(10.0, -static_cast<double>(between(rng, 10, 16)));
        record(c, op, fmt(before) + " -> " + fmt(c.lr));
        return true;
    }
    case Operator::LrMild: {
        const double before = c.lr;
        c.optimizer_as_string = false;
        const double factor = std::pow(10.0, uniform(rng, 1.0, 2.0));
        // Upwards only where the result stays below DeepFD's extreme range (1..10), which LrHigh covers.
        const bool up = c.lr * factor < 1.0 && uniform(rng, 0, 1) < 0.5;
        c.lr = up ? c.lr * factor : c.lr / factor;
        c.lr = std::stod(fmt(c.lr));
        record(c, op, fmt(before) + " -> " + fmt(c.lr));
        return true;
    }
    case Operator::EpochsDivide: {
        const int64_t before = c.epochs;
        c.epochs = std::max<int64_t>(1, c.epochs / between(rng, 10, 50));
        if (c.epochs == before) return false;
        record(c, op, std::to_string(before) + " -> " + std::to_string(c.epochs));
        return true;
    }
    case Operator::EpochsFew: {
        const int64_t before = c.epochs;
        c.epochs = std::max<int64_t>(1, std::min<int64_t>(c.epochs / 3, between(rng, 1, 3)));
        if (c.epochs == before) return false;
        record(c, op, std::to_string(before) + " -> " + std::to_string(c.epochs));
        return true;
    }
    case Operator::OptimizerSwap: {
        const std::string before = c.optimizer;
        c.optimizer =
            pick_other<std::string>(rng, {"sgd", "rmsprop", "adam", "adadelta", "adagrad"}, c.optimizer);
        c.momentum = 0.0; // only SGD takes it
        // A string optimizer takes the new optimizer's default rate, as `optimizer='adadelta'` would.
        if (c.optimizer_as_string) c.lr = diag::default_lr(c.optimizer, Framework::Keras);
        record(c, op,
               before + " -> " + c.optimizer + " (lr " + fmt(c.lr) +
                   (c.optimizer_as_string ? ", default)" : " kept)"));
        return true;
    }
    case Operator::LastActivation: {
        const std::string before = c.output_activation;
        c.output_activation = pick_other<std::string>(
            rng, {"relu", "sigmoid", "softmax", "softplus", "softsign", "tanh", "selu", "elu", "linear"},
            before);
        record(c, op, before + " -> " + c.output_activation);
        return true;
    }
    case Operator::HiddenActivation: {
        std::set<std::string> current;
        for (const auto& l : c.hidden)
            if (!l.activation.empty()) current.insert(l.activation);
        if (current.empty()) return false;
        const std::string to =
            pick_other<std::string>(rng, {"sigmoid", "tanh", "linear", "softmax", "softsign"},
                                    current.size() == 1 ? *current.begin() : "");
        for (auto& l : c.hidden)
            if (!l.activation.empty()) l.activation = to;
        record(c, op, "hidden activations -> " + to);
        return true;
    }
    case Operator::BatchSize: {
        const int64_t before = c.batch_size;
        const int64_t rows = c.samples > 0 ? c.samples : 60000;
        c.batch_size = uniform(rng, 0, 1) < 0.5 ? between(rng, 1, 2) : rows;
        record(c, op, std::to_string(before) + " -> " + std::to_string(c.batch_size));
        return true;
    }
    case Operator::WeightInit: {
        const std::string before = c.kernel_initializer.empty() ? "default" : c.kernel_initializer;
        c.kernel_initializer = uniform(rng, 0, 1) < 0.6 ? "zeros" : "ones";
        record(c, op, before + " -> " + c.kernel_initializer);
        return true;
    }
    case Operator::DropScaling: {
        const bool raw = c.dataset == "mnist" || c.dataset == "fashion_mnist" || c.dataset == "cifar10" ||
                         c.dataset == "boston_housing";
        if (!raw || !c.scaled || c.flavour != Flavour::Keras) return false;
        c.scaled = false;
        record(c, op, "input scaling removed");
        return true;
    }
    }
    return false;
}

std::vector<Fault> seeded_faults(const std::vector<std::string>& mutations,
                                 const std::vector<std::string>& seeded) {
    std::vector<Fault> out;
    auto add = [&](Fault f) {
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    };
    for (const auto& line : mutations)
        for (Operator op : all_operators())
            if (line.rfind(std::string(to_string(op)) + ":", 0) == 0) add(fault_of(op));
    if (mutations.empty())
        for (const auto& name : seeded)
            if (auto f = fault_from_string(name)) add(*f);
    return out;
}

std::vector<ProgramConfig> make_mutants(const ProgramConfig& base, uint64_t seed, int64_t count) {
    uint64_t h = 1469598103934665603ull;
    for (char ch : base.id)
        h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(h), static_cast<uint32_t>(h >> 32), 0x307au};
    std::mt19937_64 rng(seq);
    const auto& ops = all_operators();
    std::vector<ProgramConfig> out;
    int64_t attempts = 0;
    while (static_cast<int64_t>(out.size()) < count && attempts++ < count * 10) {
        ProgramConfig m = base;
        // Two thirds single faults (DeepFD's main setting), the rest two or three at once.
        const double r = uniform(rng, 0, 1);
        const int faults = r < 0.67 ? 1 : (r < 0.9 ? 2 : 3);
        int applied = 0;
        for (int tries = 0; applied < faults && tries < 12; ++tries) {
            Operator op = ops[std::uniform_int_distribution<size_t>(0, ops.size() - 1)(rng)];
            // Missing scaling applies to few bases (raw pixels or prices): seed it more often where it can
            // be.
            if (tries == 0 && uniform(rng, 0, 1) < 0.2) op = Operator::DropScaling;
            if (std::find(m.seeded.begin(), m.seeded.end(), fault_of(op)) != m.seeded.end()) continue;
            if (rewrites_optimizer(op) && std::any_of(m.seeded.begin(), m.seeded.end(), [](Fault f) {
                    return f == Fault::opt || f == Fault::lr;
                }))
                continue;
            if (apply(op, m, rng)) ++applied;
        }
        if (applied == 0) continue;
        m.id = base.id + "-m" + std::to_string(out.size() + 1);
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace faultline::corpus
