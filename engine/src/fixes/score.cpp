#include "faultline/engine/fixes.h"
#include "fixes/task_shape.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace faultline {

namespace {

double last_finite_or_nan(const Trace& trace, const char* name) {
    auto it = trace.series.find(name);
    if (it == trace.series.end() || it->second.empty()) return std::numeric_limits<double>::quiet_NaN();
    return it->second.back();
}

// The validation series when the probe kept one, else the training series.
double final_metric(const Trace& trace, const char* val, const char* train) {
    double v = last_finite_or_nan(trace, val);
    return std::isnan(v) ? last_finite_or_nan(trace, train) : v;
}

std::string two_decimals(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[32];
    // Large losses print without decimals; tiny ones in scientific notation so they do not read as 0.00.
    if (std::fabs(v) >= 1000)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (v != 0 && std::fabs(v) < 0.01)
        std::snprintf(buf, sizeof buf, "%.1e", v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

} // namespace

ProbeScore probe_score(const Trace& trace, bool classification, std::string loss_function) {
    ProbeScore s;
    s.ok = trace.status == ProbeStatus::Ok;
    s.classification = classification;
    s.accuracy = final_metric(trace, "val_acc", "train_acc");
    s.loss = final_metric(trace, "val_loss", "train_loss");
    s.diverged = trace.diverged || !std::isfinite(s.loss);
    s.loss_function = std::move(loss_function);
    return s;
}

bool scored_as_classification(const TrainingProgram& program, const Trace& trace) {
    switch (fixes::task_kind(program)) {
    case fixes::TaskKind::Regression:
        return false;
    case fixes::TaskKind::Binary:
    case fixes::TaskKind::Multiclass:
        return true;
    case fixes::TaskKind::Unknown:
        break;
    }
    return !std::isnan(final_metric(trace, "val_acc", "train_acc"));
}

namespace {

bool same_loss(const ProbeScore& a, const ProbeScore& b) {
    return !a.loss_function.empty() && a.loss_function == b.loss_function;
}

// Relative loss reduction under the same loss function, in [-1, 1]; 0 when the losses cannot be compared.
double relative_loss_drop(const ProbeScore& before, const ProbeScore& after) {
    if (!same_loss(before, after) || before.diverged || after.diverged || before.loss <= 0) return 0.0;
    return std::clamp((before.loss - after.loss) / before.loss, -1.0, 1.0);
}

double accuracy_gain(const ProbeScore& before, const ProbeScore& after) {
    if (std::isnan(after.accuracy) || after.diverged) return 0.0;
    // A diverged original has no meaningful accuracy: it predicts nothing better than chance or worse.
    double base = std::isnan(before.accuracy) ? 0.0 : before.accuracy;
    return after.accuracy - base;
}

} // namespace

double improvement(const ProbeScore& before, const ProbeScore& after) {
    if (!before.ok || !after.ok) return 0.0;
    if (before.classification) {
        if (std::isnan(after.accuracy) || after.diverged) return 0.0;
        return accuracy_gain(before, after) + 0.25 * relative_loss_drop(before, after);
    }
    if (after.diverged || !same_loss(before, after)) return 0.0;
    if (before.diverged) return 1.0;
    return relative_loss_drop(before, after);
}

bool clearly_better(const ProbeScore& before, const ProbeScore& after) {
    if (!before.ok || !after.ok || after.diverged) return false;
    if (!before.classification) return improvement(before, after) >= kLossMargin;
    double gain = accuracy_gain(before, after);
    if (gain >= kAccuracyMargin) return true;
    return gain >= -0.005 && relative_loss_drop(before, after) >= kClassificationLossRatio &&
           before.loss - after.loss >= kClassificationLossDrop;
}

std::string describe_effect(const ProbeScore& before, const ProbeScore& after) {
    // Losses of two different functions are different quantities: only the accuracy is compared then.
    const bool comparable_loss =
        same_loss(before, after) || (before.loss_function.empty() && after.loss_function.empty());
    std::string loss =
        comparable_loss ? "loss " + two_decimals(before.loss) + " -> " + two_decimals(after.loss) : "";
    if (!before.classification)
        return "probe " + (loss.empty() ? "loss " + two_decimals(after.loss) + " under the new loss" : loss);
    std::string accuracy =
        std::isnan(before.accuracy)
            ? "accuracy " + two_decimals(after.accuracy) + " (the original measures none)"
            : "accuracy " + two_decimals(before.accuracy) + " -> " + two_decimals(after.accuracy);
    return "probe " + accuracy + (loss.empty() ? "" : ", " + loss);
}

} // namespace faultline
