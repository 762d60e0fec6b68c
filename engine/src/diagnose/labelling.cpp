// Labels by measured effect: a mutant is faulty only when its probe outcome over several seeds is
// significantly worse than its base's. DeepFD used 20 runs, a GLM test (p < 0.05) and Cohen's d >= 0.5; the
// corpus here uses three seeds per program, Welch's t-test (one-sided) and the same d threshold, with a noise
// floor on the standard deviation so that seeds agreeing exactly cannot make a tiny difference "significant".
#include "faultline/engine/train.h"

#include <cmath>
#include <limits>
#include <numeric>

namespace faultline::corpus {

namespace {

// Continued fraction for the regularized incomplete beta function (modified Lentz evaluation).
double beta_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300, eps = 1e-12;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::abs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 300; ++m) {
        const double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        if (std::abs(d) < tiny) d = tiny;
        if (std::abs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        c = 1.0 + num / c;
        if (std::abs(d) < tiny) d = tiny;
        if (std::abs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1.0) < eps) break;
    }
    return h;
}

double incomplete_beta(double a, double b, double x) {
    if (x <= 0) return 0.0;
    if (x >= 1) return 1.0;
    const double front =
        std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(a, b, x) / a;
    return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

// P(T > t) for Student's t with `df` degrees of freedom.
double t_upper_tail(double t, double df) {
    const double two_sided = incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    return t >= 0 ? 0.5 * two_sided : 1.0 - 0.5 * two_sided;
}

double mean_of(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
}
double var_of(const std::vector<double>& v, double m) {
    if (v.size() < 2) return 0.0;
    double s = 0;
    for (double x : v)
        s += (x - m) * (x - m);
    return s / double(v.size() - 1);
}

} // namespace

EffectTest welch_worse(const std::vector<double>& base, const std::vector<double>& mutant, double noise_floor,
                       double min_difference) {
    EffectTest r;
    if (base.empty() || mutant.empty()) return r;
    r.mean_base = mean_of(base);
    r.mean_mutant = mean_of(mutant);
    const double floor2 = noise_floor * noise_floor;
    const double vb = std::max(var_of(base, r.mean_base), floor2);
    const double vm = std::max(var_of(mutant, r.mean_mutant), floor2);
    const double nb = double(base.size()), nm = double(mutant.size());
    const double se2 = vb / nb + vm / nm;
    const double diff = r.mean_base - r.mean_mutant;
    r.t = diff / std::sqrt(se2);
    r.df = se2 * se2 /
           ((vb / nb) * (vb / nb) / std::max(nb - 1, 1.0) + (vm / nm) * (vm / nm) / std::max(nm - 1, 1.0));
    r.p = t_upper_tail(r.t, r.df);
    r.d = diff / std::sqrt((vb + vm) / 2.0);
    r.significant = r.p < 0.05 && r.d >= 0.5 && diff >= min_difference;
    return r;
}

double outcome(const Trace& trace, Task task) {
    auto last_finite = [&](const char* name) {
        auto it = trace.series.find(name);
        if (it == trace.series.end() || it->second.empty()) return std::numeric_limits<double>::quiet_NaN();
        return it->second.back();
    };
    if (trace.status != ProbeStatus::Ok) return 0.0;
    if (task != Task::Regression) {
        double acc = last_finite("val_acc");
        if (!std::isfinite(acc)) acc = last_finite("train_acc");
        // A classification script the probe could only treat as regression (labels it could not read) falls
        // through to the loss.
        if (std::isfinite(acc) || trace.diverged) return trace.diverged ? 0.0 : acc;
    }
    // Regression: the probe's loss-independent error when it records one, else the validation loss.
    double err = last_finite("val_mse");
    if (!std::isfinite(err)) err = last_finite("val_loss");
    if (trace.diverged || !std::isfinite(err)) return -10.0;
    return -std::log10(std::max(err, 1e-10));
}

} // namespace faultline::corpus
