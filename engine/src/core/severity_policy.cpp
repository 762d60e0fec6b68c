#include "faultline/engine/severity_policy.h"

#include "faultline/engine/rules.h"

#include <algorithm>

namespace faultline {
namespace {

// Probe findings that say the network as written cannot be built or run (shapes.h). FL903, the labels
// against the output width, rests on how the probe read the labels, which the text does not fix.
bool probe_proves(const std::string& code) {
    return code == "FL901" || code == "FL902" || code == "FL904";
}

bool rule_proves(const std::string& code) {
    const auto& rules = all_rules();
    auto it = std::find_if(rules.begin(), rules.end(), [&](const RuleInfo& r) { return r.code == code; });
    return it != rules.end() && it->proves;
}

bool has_source(const Finding& f, EvidenceSource s) {
    return std::find(f.sources.begin(), f.sources.end(), s) != f.sources.end();
}

bool weaker(Severity a, Severity b) {
    return static_cast<int>(a) > static_cast<int>(b);
}

const char* name(Severity s) {
    switch (s) {
    case Severity::Error:
        return "an error";
    case Severity::Warning:
        return "a warning";
    case Severity::Information:
        return "information";
    case Severity::Hint:
        return "a hint";
    }
    return "information";
}

// The monitor's flags (trace.h) that mean training failed rather than went slowly.
constexpr const char* kFailureFlags[] = {"nan_loss",         "nan_weight",      "nan_grad",
                                         "exploding_grad",   "vanishing_grad",  "dying_relu",
                                         "unchanged_weight", "constant_output", "not_converge"};

} // namespace

bool probe_saw_failure(const Trace& trace) {
    if (trace.status != ProbeStatus::Ok) return false;
    if (trace.diverged) return true;
    for (const char* name : kFailureFlags) {
        auto it = trace.flags.find(name);
        if (it != trace.flags.end() && !it->second.empty() && it->second.back() != 0) return true;
    }
    return false;
}

Severity severity_ceiling(const Finding& f, bool probe_failed) {
    const bool text = has_source(f, EvidenceSource::Static);
    const bool proven =
        (text && rule_proves(f.code)) || (has_source(f, EvidenceSource::Probe) && probe_proves(f.code));
    if (proven) return Severity::Error;
    const bool probe =
        probe_failed || has_source(f, EvidenceSource::Probe) || has_source(f, EvidenceSource::Diagnosis);
    // A change measured to train better is a second piece for the text, and the what-if probe's own finding
    // (every seed won). For a classifier's call it is not: the classifier and the fix's measurement read the
    // same probe on the same synthetic data, and on correct scripts both disagree with canonical settings.
    const bool measured_fix =
        std::any_of(f.fixes.begin(), f.fixes.end(), [](const Fix& x) { return x.validated; });
    const bool whatif = has_source(f, EvidenceSource::Probe);
    if ((text && probe) || (measured_fix && (text || whatif))) return Severity::Warning;
    return Severity::Information;
}

void apply_severity_policy(std::vector<Finding>& findings, const Trace* probe) {
    const bool probe_failed = probe && probe_saw_failure(*probe);
    for (Finding& f : findings) {
        const Severity ceiling = severity_ceiling(f, probe_failed);
        if (!weaker(ceiling, f.severity)) continue;
        f.explanation += std::string("\n\nShown as ") + name(ceiling) + " rather than " + name(f.severity) +
                         ": " +
                         (ceiling == Severity::Warning
                              ? "an error needs the text alone to prove the fault."
                              : "an alarm needs the text to prove the fault, or a second, independent "
                                "piece of evidence (the probe agreeing, or a change measured to train "
                                "better).");
        f.severity = ceiling;
    }
}

} // namespace faultline
