// The feature table: every feature is one row (name, how to compute it), so names and values cannot drift
// apart. DeepFD's published feature file shifts four column names against their values; one table avoids it.
#include "diagnose/program_facts.h"
#include "faultline/engine/diagnose.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace faultline {

namespace {

using diag::LossFamily;
using diag::ProgramFacts;
using diag::TaskKind;

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

struct Context {
    const TrainingProgram& program;
    const Trace& trace;
    ProgramFacts facts;
};

struct FeatureDef {
    std::string name;
    std::function<double(const Context&)> value;
};

// The per-epoch monitor series of the probe (trace.h), in a fixed order.
const std::vector<std::string>& series_names() {
    static const std::vector<std::string> names = {
        "train_loss",     "train_acc",        "val_loss",        "val_acc",         "grad_norm_first",
        "grad_norm_last", "grad_ratio",       "zero_grad_share", "weight_change",   "weight_norm",
        "weight_max",     "weight_mean",      "weight_std",      "saturated_share", "nan_count",
        "lr_effective",   "cons_mean_weight", "cons_std_weight", "majority_share",  "output_std"};
    return names;
}

const std::vector<std::string>& flag_names() {
    static const std::vector<std::string> names = {
        "nan_loss",           "nan_weight",       "nan_grad",         "exploding_grad", "vanishing_grad",
        "dying_relu",         "saturated",        "unchanged_weight", "large_weight",   "loss_not_decreasing",
        "acc_not_increasing", "oscillating_loss", "constant_output",  "not_converge",   "slow_convergence",
        "test_not_well",      "test_turn_bad",    "cons_mean_weight", "cons_std_weight"};
    return names;
}

// Finite values of a series; infinities become large finite values so that "exploded" stays visible.
std::vector<double> finite(const Trace& t, const std::string& name) {
    std::vector<double> out;
    auto it = t.series.find(name);
    if (it == t.series.end()) return out;
    for (double v : it->second) {
        if (std::isnan(v)) continue;
        out.push_back(std::isinf(v) ? std::copysign(1e30, v) : std::clamp(v, -1e30, 1e30));
    }
    return out;
}

double mean(const std::vector<double>& v) {
    return v.empty() ? kMissing : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
    if (v.size() < 2) return v.empty() ? kMissing : 0.0;
    const double m = mean(v);
    double s = 0;
    for (double x : v)
        s += (x - m) * (x - m);
    return s / static_cast<double>(v.size() - 1);
}
double median(std::vector<double> v) {
    if (v.empty()) return kMissing;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
double skew(const std::vector<double>& v) {
    if (v.size() < 3) return v.empty() ? kMissing : 0.0;
    const double m = mean(v);
    double m2 = 0, m3 = 0;
    for (double x : v) {
        m2 += (x - m) * (x - m);
        m3 += (x - m) * (x - m) * (x - m);
    }
    const double n = static_cast<double>(v.size());
    m2 /= n;
    m3 /= n;
    return m2 <= 1e-300 ? 0.0 : m3 / std::pow(m2, 1.5);
}

// Keeps huge values usable by the trees (they split on order, but float32 overflows past 3e38).
double squash(double x) {
    return std::isfinite(x) ? std::clamp(x, -1e30, 1e30) : x;
}
double log10_or_missing(double x) {
    return x > 0 ? std::log10(x) : kMissing;
}

const std::vector<FeatureDef>& feature_table() {
    static const std::vector<FeatureDef> table = [] {
        std::vector<FeatureDef> t;
        // DeepFD's eight statistics of every monitor series.
        for (const std::string& s : series_names()) {
            t.push_back({s + ".mean", [s](const Context& c) { return mean(finite(c.trace, s)); }});
            t.push_back({s + ".std", [s](const Context& c) {
                             const double v = variance(finite(c.trace, s));
                             return std::isnan(v) ? v : std::sqrt(v);
                         }});
            t.push_back({s + ".skew", [s](const Context& c) { return skew(finite(c.trace, s)); }});
            t.push_back({s + ".median", [s](const Context& c) { return median(finite(c.trace, s)); }});
            t.push_back({s + ".var", [s](const Context& c) { return variance(finite(c.trace, s)); }});
            t.push_back({s + ".sem", [s](const Context& c) {
                             const auto v = finite(c.trace, s);
                             const double var = variance(v);
                             return std::isnan(var) ? var : std::sqrt(var / static_cast<double>(v.size()));
                         }});
            t.push_back({s + ".max", [s](const Context& c) {
                             const auto v = finite(c.trace, s);
                             return v.empty() ? kMissing : *std::max_element(v.begin(), v.end());
                         }});
            t.push_back({s + ".min", [s](const Context& c) {
                             const auto v = finite(c.trace, s);
                             return v.empty() ? kMissing : *std::min_element(v.begin(), v.end());
                         }});
            // Where training ended and how far it went: the trajectory the statistics blur.
            t.push_back({s + ".first", [s](const Context& c) {
                             const auto v = finite(c.trace, s);
                             return v.empty() ? kMissing : v.front();
                         }});
            t.push_back({s + ".last", [s](const Context& c) {
                             const auto v = finite(c.trace, s);
                             return v.empty() ? kMissing : v.back();
                         }});
            t.push_back({s + ".last_over_first", [s](const Context& c) {
                             const auto v = finite(c.trace, s);
                             if (v.empty() || std::abs(v.front()) < 1e-12) return kMissing;
                             return v.back() / v.front();
                         }});
            t.push_back({s + ".nonfinite_share", [s](const Context& c) {
                             auto it = c.trace.series.find(s);
                             if (it == c.trace.series.end() || it->second.empty()) return kMissing;
                             const auto bad = std::count_if(it->second.begin(), it->second.end(),
                                                            [](double v) { return !std::isfinite(v); });
                             return static_cast<double>(bad) / static_cast<double>(it->second.size());
                         }});
        }
        // Share of epochs on which each of DeepFD's monitor flags was raised.
        for (const std::string& f : flag_names())
            t.push_back({"flag." + f, [f](const Context& c) {
                             auto it = c.trace.flags.find(f);
                             if (it == c.trace.flags.end() || it->second.empty()) return 0.0;
                             const auto raised = std::count_if(it->second.begin(), it->second.end(),
                                                               [](int v) { return v != 0; });
                             return static_cast<double>(raised) / static_cast<double>(it->second.size());
                         }});
        // The probe run itself.
        t.push_back({"probe.diverged", [](const Context& c) { return c.trace.diverged ? 1.0 : 0.0; }});
        t.push_back(
            {"probe.simulated_epochs", [](const Context& c) { return double(c.trace.simulated_epochs); }});
        t.push_back({"probe.epoch_scale", [](const Context& c) { return c.trace.epoch_scale; }});
        t.push_back(
            {"probe.log10_steps", [](const Context& c) { return log10_or_missing(double(c.trace.steps)); }});
        t.push_back({"probe.log10_parameters",
                     [](const Context& c) { return log10_or_missing(double(c.trace.parameters)); }});
        t.push_back({"probe.steps_per_epoch", [](const Context& c) {
                         return c.trace.simulated_epochs > 0
                                    ? double(c.trace.steps) / double(c.trace.simulated_epochs)
                                    : kMissing;
                     }});
        // Static features of the program.
        auto loss_is = [&t](const std::string& name) {
            t.push_back({"static.loss=" + name,
                         [name](const Context& c) { return c.facts.loss == name ? 1.0 : 0.0; }});
        };
        for (const char* l : {"categorical_crossentropy", "sparse_categorical_crossentropy",
                              "binary_crossentropy", "mean_squared_error", "mean_absolute_error", "nll"})
            loss_is(l);
        auto family_is = [&t](const std::string& name, LossFamily fam) {
            t.push_back({"static.loss_family=" + name,
                         [fam](const Context& c) { return c.facts.loss_family == fam ? 1.0 : 0.0; }});
        };
        family_is("probabilistic", LossFamily::Probabilistic);
        family_is("regression", LossFamily::Regression);
        family_is("hinge", LossFamily::Hinge);
        family_is("other", LossFamily::Other);
        t.push_back({"static.from_logits", [](const Context& c) { return c.facts.from_logits ? 1.0 : 0.0; }});
        for (const char* a : {"linear", "relu", "sigmoid", "softmax", "tanh", "softplus", "softsign", "selu",
                              "elu", "log_softmax"}) {
            const std::string name = a;
            t.push_back({"static.output_activation=" + name,
                         [name](const Context& c) { return c.facts.output_activation == name ? 1.0 : 0.0; }});
        }
        t.push_back({"static.output_units", [](const Context& c) { return c.facts.output_units; }});
        for (const char* o : {"sgd", "adam", "rmsprop", "adagrad", "adadelta"}) {
            const std::string name = o;
            t.push_back({"static.optimizer=" + name,
                         [name](const Context& c) { return c.facts.optimizer == name ? 1.0 : 0.0; }});
        }
        t.push_back({"static.log10_lr", [](const Context& c) { return log10_or_missing(c.facts.lr); }});
        // How far the rate is from what its optimizer is designed around: Adadelta at 1e-3 and Adam at 1.0
        // are both "wrong" in a way neither the rate nor the optimizer alone shows.
        t.push_back({"static.log10_lr_over_default", [](const Context& c) {
                         const double d =
                             diag::default_lr(c.facts.optimizer, c.program.framework == Framework::TfKeras
                                                                     ? Framework::Keras
                                                                     : c.program.framework);
                         return c.facts.lr > 0 && d > 0 ? std::log10(c.facts.lr / d) : kMissing;
                     }});
        t.push_back({"static.lr_written", [](const Context& c) { return c.facts.lr_written ? 1.0 : 0.0; }});
        t.push_back(
            {"static.log10_epochs", [](const Context& c) { return log10_or_missing(c.facts.epochs); }});
        t.push_back({"static.log10_batch_size",
                     [](const Context& c) { return log10_or_missing(c.facts.batch_size); }});
        t.push_back({"static.batch_share", [](const Context& c) {
                         return c.facts.samples > 0 && c.facts.batch_size > 0
                                    ? c.facts.batch_size / c.facts.samples
                                    : kMissing;
                     }});
        t.push_back({"static.log10_updates", [](const Context& c) {
                         if (c.facts.samples <= 0 || c.facts.batch_size <= 0 || c.facts.epochs <= 0)
                             return kMissing;
                         return std::log10(c.facts.epochs * std::ceil(c.facts.samples / c.facts.batch_size));
                     }});
        t.push_back({"static.depth", [](const Context& c) { return double(c.facts.depth); }});
        t.push_back({"static.dense", [](const Context& c) { return double(c.facts.dense); }});
        t.push_back({"static.conv", [](const Context& c) { return double(c.facts.conv); }});
        t.push_back({"static.recurrent", [](const Context& c) { return double(c.facts.recurrent); }});
        t.push_back({"static.embedding", [](const Context& c) { return double(c.facts.embedding); }});
        t.push_back({"static.hidden_relu_share", [](const Context& c) { return c.facts.hidden_relu; }});
        t.push_back(
            {"static.hidden_saturating_share", [](const Context& c) { return c.facts.hidden_saturating; }});
        t.push_back({"static.hidden_linear_share", [](const Context& c) { return c.facts.hidden_linear; }});
        for (const char* i :
             {"zeros", "ones", "random_normal", "random_uniform", "he_normal", "glorot_uniform"}) {
            const std::string name = i;
            t.push_back({"static.initializer=" + name,
                         [name](const Context& c) { return c.facts.initializer == name ? 1.0 : 0.0; }});
        }
        auto task_is = [&t](const std::string& name, TaskKind k) {
            t.push_back(
                {"static.task=" + name, [k](const Context& c) { return c.facts.task == k ? 1.0 : 0.0; }});
        };
        task_is("binary", TaskKind::Binary);
        task_is("multiclass", TaskKind::Multiclass);
        task_is("regression", TaskKind::Regression);
        t.push_back({"static.classes", [](const Context& c) { return c.facts.classes; }});
        t.push_back({"static.scaled",
                     [](const Context& c) { return c.facts.scaled < 0 ? kMissing : c.facts.scaled; }});
        t.push_back(
            {"static.log10_input_max", [](const Context& c) { return log10_or_missing(c.facts.input_max); }});
        t.push_back({"static.framework=pytorch",
                     [](const Context& c) { return c.program.framework == Framework::PyTorch ? 1.0 : 0.0; }});
        // Whether the output layer, the loss and the task agree: the usual shape of act and loss faults.
        t.push_back({"static.output_matches_loss", [](const Context& c) {
                         const auto& f = c.facts;
                         if (f.loss_family == LossFamily::Unknown) return kMissing;
                         if (f.from_logits) return f.output_activation == "linear" ? 1.0 : 0.0;
                         if (f.loss == "categorical_crossentropy" ||
                             f.loss == "sparse_categorical_crossentropy")
                             return f.output_activation == "softmax" ? 1.0 : 0.0;
                         if (f.loss == "binary_crossentropy")
                             return f.output_activation == "sigmoid" ? 1.0 : 0.0;
                         if (f.loss == "nll") return f.output_activation == "log_softmax" ? 1.0 : 0.0;
                         if (f.loss_family == LossFamily::Regression)
                             return f.output_activation == "linear" || f.output_activation == "relu" ||
                                            f.output_activation == "softplus"
                                        ? 1.0
                                        : 0.0;
                         return kMissing;
                     }});
        t.push_back({"static.loss_matches_task", [](const Context& c) {
                         const auto& f = c.facts;
                         if (f.task == TaskKind::Unknown || f.loss_family == LossFamily::Unknown)
                             return kMissing;
                         if (f.task == TaskKind::Regression)
                             return f.loss_family == LossFamily::Regression ? 1.0 : 0.0;
                         return f.loss_family == LossFamily::Probabilistic ||
                                        f.loss_family == LossFamily::Hinge
                                    ? 1.0
                                    : 0.0;
                     }});
        t.push_back({"static.output_width_matches_task", [](const Context& c) {
                         const auto& f = c.facts;
                         if (f.output_units <= 0 || f.task == TaskKind::Unknown) return kMissing;
                         if (f.task == TaskKind::Multiclass)
                             return f.classes > 0 ? (f.output_units == f.classes ? 1.0 : 0.0) : kMissing;
                         if (f.task == TaskKind::Binary) return f.output_units <= 2 ? 1.0 : 0.0;
                         return f.output_units == 1 ? 1.0 : 0.0;
                     }});
        return t;
    }();
    return table;
}

} // namespace

const std::vector<std::string>& feature_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& f : feature_table())
            n.push_back(f.name);
        return n;
    }();
    return names;
}

std::vector<float> extract_features(const TrainingProgram& program, const Trace& trace) {
    const Context c{program, trace, diag::read_facts(program)};
    std::vector<float> out;
    out.reserve(feature_table().size());
    for (const auto& f : feature_table())
        out.push_back(static_cast<float>(squash(f.value(c))));
    return out;
}

} // namespace faultline
