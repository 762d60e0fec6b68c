// From a probe trace to findings: the classifiers name the fault types, localization points at the statement
// that sets each, and the message quotes the trace's numbers so the user can judge the evidence.
#include "faultline/engine/diagnose.h"

#include "diagnose/program_facts.h"
#include "faultline/engine/localize.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

namespace faultline {

namespace {

// A finding is an alarm (Warning) when its probability clears the type's threshold by this share of the way
// to 1; just above the threshold it is shown as information (the classifier's decision, at low confidence).
constexpr double kAlarmMargin = 0.2;

std::string num(double v) {
    if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : (v > 0 ? "inf" : "-inf");
    char buf[32];
    const double a = std::abs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e5))
        std::snprintf(buf, sizeof buf, "%.0e", v);
    else
        std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

const std::vector<double>* series(const Trace& t, const char* name) {
    auto it = t.series.find(name);
    return it == t.series.end() || it->second.empty() ? nullptr : &it->second;
}

// The series' last value when it is a number: an evidence sentence quotes no NaN (a ratio of two zero
// gradients, say), it leaves the number out.
std::optional<double> last_finite(const Trace& t, const char* name) {
    const auto* s = series(t, name);
    if (!s || !std::isfinite(s->back())) return std::nullopt;
    return s->back();
}

int first_nonfinite_epoch(const Trace& t) {
    const auto* loss = series(t, "train_loss");
    if (!loss) return -1;
    for (size_t i = 0; i < loss->size(); ++i)
        if (!std::isfinite((*loss)[i])) return static_cast<int>(i) + 1;
    return -1;
}

double median_of(const std::vector<double>& v) {
    std::vector<double> f;
    for (double x : v)
        if (std::isfinite(x)) f.push_back(x);
    if (f.empty()) return std::nan("");
    std::sort(f.begin(), f.end());
    return f[f.size() / 2];
}

// "training loss went from 2.30 to 2.29 over 12 epochs; accuracy ended at 0.11"
std::string trajectory(const Trace& t) {
    std::string out;
    const auto* loss = series(t, "train_loss");
    const int nan_at = first_nonfinite_epoch(t);
    if (nan_at > 0) {
        out = "training loss became NaN/Inf at epoch " + std::to_string(nan_at) + " of " +
              std::to_string(t.simulated_epochs);
    } else if (loss) {
        const double a = loss->front(), b = loss->back();
        if (std::abs(b - a) <= 0.01 * std::max(std::abs(a), 1e-12))
            out =
                "training loss stayed at " + num(b) + " for all " + std::to_string(loss->size()) + " epochs";
        else
            out = "training loss went from " + num(a) + " to " + num(b) + " over " +
                  std::to_string(loss->size()) + " epochs";
    }
    const auto* acc = series(t, "val_acc");
    if (!acc) acc = series(t, "train_acc");
    if (acc && std::isfinite(acc->back()))
        out += (out.empty() ? "" : "; ") + std::string("accuracy ended at ") + num(acc->back());
    return out;
}

std::string weights_sentence(const Trace& t) {
    const auto* change = series(t, "weight_change");
    if (!change) return {};
    const double median = median_of(*change);
    if (!std::isfinite(median)) return {};
    return "weights changed by " + num(median) + " (relative) per epoch";
}

std::string evidence(Fault fault, const TrainingProgram& program, const Trace& t,
                     const diag::ProgramFacts& f) {
    std::string what;
    switch (fault) {
    case Fault::lr:
        what = "learning rate " + (f.lr > 0 ? num(f.lr) : std::string("unknown")) +
               (f.lr_written ? "" : " (the optimizer's default)");
        if (const auto w = weights_sentence(t); !w.empty()) what += "; " + w;
        break;
    case Fault::opt:
        what = "optimizer " + (f.optimizer.empty() ? std::string("unknown") : f.optimizer) +
               " with learning rate " + (f.lr > 0 ? num(f.lr) : std::string("unknown"));
        break;
    case Fault::act:
        what = "the output layer uses " + f.output_activation + " over " + num(f.output_units) + " unit(s)";
        if (const auto s = last_finite(t, "saturated_share")) what += "; saturated share " + num(*s);
        break;
    case Fault::loss:
        what = "loss " + (f.loss.empty() ? std::string("unknown") : f.loss) + " with a " +
               f.output_activation + " output";
        break;
    case Fault::epoch:
        what = std::to_string(t.user_epochs) + " epoch(s)";
        if (const auto* acc = series(t, "val_acc");
            acc && acc->size() >= 2 && std::isfinite(acc->back()) && std::isfinite(acc->at(acc->size() - 2)))
            what += "; validation accuracy was still moving (" + num(acc->at(acc->size() - 2)) + " -> " +
                    num(acc->back()) + ") at the end";
        break;
    case Fault::batch_size:
        what = "batch size " + (f.batch_size > 0 ? num(f.batch_size) : std::string("unknown")) + " for " +
               (f.samples > 0 ? num(f.samples) : std::string("an unknown number of")) + " training samples";
        break;
    case Fault::data_preprocessing:
        what = "inputs reach " + (f.input_max > 0 ? num(f.input_max) : std::string("an unknown range")) +
               (f.scaled == 0 ? " and are never scaled" : "");
        if (const auto g = last_finite(t, "grad_norm_first"))
            what += "; first-layer gradient norm " + num(*g);
        break;
    case Fault::hidden_activation:
        what = "hidden layers: " + num(f.hidden_saturating * 100) + "% saturating and " +
               num(f.hidden_linear * 100) + "% linear activations";
        if (const auto s = last_finite(t, "saturated_share")) what += "; saturated share " + num(*s);
        if (const auto g = last_finite(t, "grad_ratio"))
            what += "; first/last-layer gradient ratio " + num(*g);
        break;
    case Fault::weight_init:
        what = "kernel initializer " + (f.initializer.empty() ? std::string("default") : f.initializer);
        if (const auto z = last_finite(t, "zero_grad_share")) what += "; share of zero gradients " + num(*z);
        break;
    default:
        break;
    }
    (void)program;
    const std::string traj = trajectory(t);
    if (traj.empty()) return what;
    return what.empty() ? traj : traj + "; " + what;
}

const char* title(Fault f) {
    switch (f) {
    case Fault::opt:
        return "the optimizer is likely unsuited to this model";
    case Fault::lr:
        return "the learning rate is likely wrong";
    case Fault::act:
        return "the output activation is likely wrong";
    case Fault::loss:
        return "the loss function is likely wrong";
    case Fault::epoch:
        return "training likely runs for too few epochs";
    case Fault::batch_size:
        return "the batch size is likely wrong";
    case Fault::data_preprocessing:
        return "the inputs likely need scaling";
    case Fault::weight_init:
        return "the weight initialization is likely wrong";
    case Fault::hidden_activation:
        return "the hidden layers' activation is likely wrong";
    default:
        return "a training setting is likely wrong";
    }
}

const char* advice(Fault f) {
    switch (f) {
    case Fault::opt:
        return "Try Adam (or SGD with momentum) with its usual learning rate.";
    case Fault::lr:
        return "Typical values are 1e-3 for Adam and RMSprop, 1e-2 to 1e-1 for SGD.";
    case Fault::act:
        return "Use softmax for several exclusive classes, sigmoid for one binary output, and no activation "
               "(linear) for regression or when the loss takes logits.";
    case Fault::loss:
        return "Use categorical (or sparse categorical) cross-entropy for classes, binary cross-entropy for "
               "a "
               "single probability, and mean squared error for regression.";
    case Fault::epoch:
        return "Train for more epochs, or until the validation metric stops improving.";
    case Fault::batch_size:
        return "Batches of 16 to 256 samples are typical.";
    case Fault::data_preprocessing:
        return "Scale the inputs to about 0..1 (for pixels, divide by 255) or standardize them.";
    case Fault::weight_init:
        return "Keep the framework's default initializer (Glorot or He), not constants.";
    case Fault::hidden_activation:
        return "Use relu (or a relative such as elu) between hidden layers: saturating activations stall "
               "gradients in deep stacks, and linear ones collapse the stack into one layer.";
    default:
        return "";
    }
}

} // namespace

const std::vector<Fault>& diagnosed_faults() {
    static const std::vector<Fault> faults = {Fault::opt,
                                              Fault::lr,
                                              Fault::act,
                                              Fault::loss,
                                              Fault::epoch,
                                              Fault::batch_size,
                                              Fault::data_preprocessing,
                                              Fault::weight_init,
                                              Fault::hidden_activation};
    return faults;
}

const char* diagnosis_code(Fault f) {
    switch (f) {
    case Fault::opt:
        return "FL201";
    case Fault::lr:
        return "FL202";
    case Fault::act:
        return "FL203";
    case Fault::loss:
        return "FL204";
    case Fault::epoch:
        return "FL205";
    case Fault::batch_size:
        return "FL206";
    case Fault::data_preprocessing:
        return "FL207";
    case Fault::weight_init:
        return "FL208";
    case Fault::hidden_activation:
        return "FL209";
    default:
        return "FL299";
    }
}

ProbeOptions diagnosis_probe_options() {
    // Small enough that a corpus of thousands of programs (three seeds each) fits in an hour on two cores,
    // and the same at inference: the features are computed from traces of this length and sample count.
    ProbeOptions o;
    o.budget_seconds =
        30.0; // a safety net only: steps, not seconds, bound the probe, so traces do not depend on load
    o.max_steps = 160;
    o.max_epochs = 10;
    o.max_train_samples = 256;
    o.seed = 1;
    o.threads = 1;
    return o;
}

std::vector<Finding> diagnose(const TrainingProgram& program, const Trace& trace,
                              const DiagnosisModel& model) {
    std::vector<Finding> out;
    if (trace.status != ProbeStatus::Ok) return out;
    // The classifiers only know traces of diagnosis_probe_options()'s size; a longer or larger probe gives
    // features they have never seen, and confident answers about them would be guesses.
    const ProbeOptions expected = diagnosis_probe_options();
    if (trace.train_samples > expected.max_train_samples || trace.simulated_epochs > expected.max_epochs ||
        trace.steps > expected.max_steps)
        return out;
    const auto probabilities = model.predict(extract_features(program, trace));
    const auto facts = diag::read_facts(program);
    for (Fault fault : diagnosed_faults()) {
        auto it = probabilities.find(fault);
        if (it == probabilities.end() || it->second < model.threshold(fault)) continue;
        const auto where = locate(fault, program);
        if (!where) continue;
        Finding f;
        f.code = diagnosis_code(fault);
        f.fault = fault;
        f.confidence = it->second;
        const double threshold = model.threshold(fault);
        f.severity = it->second >= threshold + kAlarmMargin * (1.0 - threshold) ? Severity::Warning
                                                                                : Severity::Information;
        const std::string ev = evidence(fault, program, trace, facts);
        f.message = std::string(title(fault)) + ": " + ev;
        f.explanation =
            "**" + std::string(title(fault)) + "** (" + to_string(fault) + ", probability " +
            num(it->second) + ")\n\nA short probe training of this program (" +
            (trace.data_description.empty() ? std::string("synthetic data") : trace.data_description) + ", " +
            std::to_string(trace.simulated_epochs) + " epochs, " + std::to_string(trace.steps) +
            " steps) showed: " + ev +
            ".\n\nA classifier trained on programs with seeded faults "
            "recognises this pattern as a `" +
            to_string(fault) + "` fault.\n\n" + advice(fault);
        f.range = where->range;
        f.related = where->related;
        f.related_messages = where->related_messages;
        f.sources = {EvidenceSource::Diagnosis};
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace faultline
