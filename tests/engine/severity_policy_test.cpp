// The severity policy: the evidence a finding carries decides how loud it may be.
#include "faultline/engine/severity_policy.h"

#include <catch2/catch.hpp>

using namespace faultline;

namespace {

Finding finding(std::string code, Severity severity, std::vector<EvidenceSource> sources) {
    Finding f;
    f.code = std::move(code);
    f.severity = severity;
    f.sources = std::move(sources);
    return f;
}

Severity policed(Finding f) {
    std::vector<Finding> one{std::move(f)};
    apply_severity_policy(one);
    return one[0].severity;
}

using S = Severity;
using E = EvidenceSource;

} // namespace

TEST_CASE("severity policy: a proving rule keeps its severity on the text alone") {
    CHECK(policed(finding("FL111", S::Error, {E::Static})) == S::Error); // softmax over one unit
    CHECK(policed(finding("FL163", S::Error, {E::Static})) == S::Error); // the loop never steps
    CHECK(policed(finding("FL121", S::Warning, {E::Static})) == S::Warning);
}

TEST_CASE("severity policy: a rule that only suggests needs a second piece of evidence") {
    // A learning rate outside the usual range, on the text alone: information.
    CHECK(policed(finding("FL131", S::Warning, {E::Static})) == S::Information);
    // The probe's classifier agrees at the same statement: a warning, never an error.
    CHECK(policed(finding("FL131", S::Warning, {E::Static, E::Diagnosis})) == S::Warning);
    CHECK(policed(finding("FL131", S::Error, {E::Static, E::Probe})) == S::Warning);
    // Its fix was applied and the probe trained decisively better: a warning.
    Finding measured = finding("FL131", S::Warning, {E::Static});
    Fix fix;
    fix.validated = true;
    measured.fixes.push_back(fix);
    CHECK(policed(measured) == S::Warning);
}

TEST_CASE("severity policy: a classifier alone is information") {
    CHECK(policed(finding("FL202", S::Warning, {E::Diagnosis})) == S::Information);
    CHECK(policed(finding("FL207", S::Error, {E::Diagnosis})) == S::Information);
    // A fix measured on the same synthetic probe is not independent of the classifier's call.
    Finding measured = finding("FL202", S::Warning, {E::Diagnosis});
    Fix fix;
    fix.validated = true;
    measured.fixes.push_back(fix);
    CHECK(policed(measured) == S::Information);
    // A what-if probe that won under every seed at the same statement is.
    Finding confirmed = measured;
    confirmed.sources.push_back(E::Probe);
    CHECK(policed(confirmed) == S::Warning);
    // An unvalidated fix is no evidence.
    Finding offered = finding("FL202", S::Warning, {E::Diagnosis});
    offered.fixes.push_back(Fix{});
    CHECK(policed(offered) == S::Information);
}

TEST_CASE("severity policy: probe findings") {
    // The network the text describes cannot be built: proven by running it.
    CHECK(policed(finding("FL901", S::Error, {E::Probe})) == S::Error);
    // The labels against the output width rest on how the labels were read: information alone.
    CHECK(policed(finding("FL903", S::Error, {E::Probe})) == S::Information);
    // A what-if finding carries its validated change: a warning.
    Finding whatif = finding("FL302", S::Warning, {E::Probe});
    Fix fix;
    fix.validated = true;
    whatif.fixes.push_back(fix);
    CHECK(policed(whatif) == S::Warning);
}

TEST_CASE("severity policy: never raises, and says why it lowered") {
    CHECK(policed(finding("FL142", S::Information, {E::Static})) == S::Information);
    CHECK(policed(finding("FL111", S::Hint, {E::Static})) == S::Hint);
    std::vector<Finding> one{finding("FL131", S::Warning, {E::Static})};
    apply_severity_policy(one);
    CHECK(one[0].explanation.find("second, independent piece of evidence") != std::string::npos);
    // A finding without sources has no evidence at all.
    CHECK(policed(finding("FL131", S::Warning, {})) == S::Information);
    // Applying twice changes nothing more.
    auto explanation = one[0].explanation;
    apply_severity_policy(one);
    CHECK(one[0].explanation == explanation);
}

TEST_CASE("severity policy: a probe that saw training fail is the second piece for a static finding") {
    Trace failed;
    failed.status = ProbeStatus::Ok;
    failed.flags["not_converge"] = {0, 1};
    Trace healthy = failed;
    healthy.flags["not_converge"] = {1, 0};     // only the last epoch counts
    healthy.flags["slow_convergence"] = {1, 1}; // slow is not failed
    CHECK(probe_saw_failure(failed));
    CHECK_FALSE(probe_saw_failure(healthy));
    Trace nan = healthy;
    nan.diverged = true;
    CHECK(probe_saw_failure(nan));
    Trace skipped = failed;
    skipped.status = ProbeStatus::Skipped;
    CHECK_FALSE(probe_saw_failure(skipped));

    auto with = [](Finding f, const Trace& t) {
        std::vector<Finding> one{std::move(f)};
        apply_severity_policy(one, &t);
        return one[0].severity;
    };
    CHECK(with(finding("FL131", S::Warning, {E::Static}), failed) == S::Warning);
    CHECK(with(finding("FL131", S::Warning, {E::Static}), healthy) == S::Information);
    CHECK(with(finding("FL131", S::Error, {E::Static}), failed) == S::Warning); // still not proven
    // The classifier reads the same probe: its failure is not a second piece for it.
    CHECK(with(finding("FL202", S::Warning, {E::Diagnosis}), failed) == S::Information);
}
