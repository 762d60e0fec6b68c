#include "faultline/engine/diagnose.h"
#include "faultline/engine/pipeline.h"
#include "faultline/engine/severity_policy.h"

#include <chrono>

namespace faultline {

namespace {

// The severity policy applies once, to the final list: applied earlier, a static finding lowered for lack
// of a second piece of evidence could not regain its severity when the probe later agrees with it.
Analysis policed(Analysis a) {
    apply_severity_policy(a.findings, &a.trace);
    return a;
}

Analysis static_findings(const TrainingProgram& program, const CheckOptions& checks) {
    Analysis a;
    a.program = program;
    a.findings = merge_findings(run_static_checks(program, checks), {});
    a.trace.status = ProbeStatus::Skipped;
    a.trace.reason = "probe not run";
    return a;
}

// Why the probe cannot run on this program, or empty when it can.
std::string probe_blocker(const TrainingProgram& program) {
    if (!program.has_model()) return "no model found in the script";
    for (const auto& note : program.notes)
        if (note.blocks_probe) return note.message;
    return {};
}

Analysis probe_and_diagnose(const TrainingProgram& program, const AnalysisOptions& options,
                            const std::atomic<bool>* cancel,
                            const std::function<void(const ProbeProgress&)>& progress) {
    Analysis a = static_findings(program, options.checks);
    if (!options.probe) {
        a.trace.reason = "probe disabled";
        return a;
    }
    if (std::string blocker = probe_blocker(program); !blocker.empty()) {
        a.trace.reason = blocker;
        a.skipped_reasons.push_back(blocker);
        return a;
    }
    ProbeResult probe = run_probe(program, options.probe_options, cancel, progress);
    a.trace = probe.trace;
    a.findings = merge_findings(std::move(a.findings), std::move(probe.build_findings));
    if (a.trace.status != ProbeStatus::Ok) return a;

    std::string error;
    auto model = DiagnosisModel::bundled(&error);
    if (!model) {
        a.skipped_reasons.push_back("diagnosis unavailable: " + error);
        return a;
    }
    a.findings = merge_findings(std::move(a.findings), diagnose(program, a.trace, *model));
    return a;
}

} // namespace

Analysis analyze_static(const TrainingProgram& program, const CheckOptions& checks) {
    return policed(static_findings(program, checks));
}

Analysis analyze(const TrainingProgram& program, const AnalysisOptions& options,
                 const std::atomic<bool>* cancel, const std::function<void(const ProbeProgress&)>& progress) {
    return policed(probe_and_diagnose(program, options, cancel, progress));
}

} // namespace faultline

#include "faultline/engine/fixes.h"
#include "faultline/engine/whatif.h"
#include "faultline/parser/parse.h"

namespace faultline {

double analysis_wall_cap_seconds(const AnalysisOptions& options) {
    if (!options.probe) return 0.0;
    double probes = 1.0;
    if (options.validate_fixes) probes += kValidationBudgetProbes;
    if (options.whatif) probes += WhatIfOptions{}.budget_probes;
    // Each part stops by the clock only past kWallCapFactor times its planned budget (probe.h).
    return kWallCapFactor * probes * options.probe_options.budget_seconds;
}

Analysis analyze_text(std::string_view text, const AnalysisOptions& options, const std::atomic<bool>* cancel,
                      const std::function<void(const ProbeProgress&)>& progress) {
    Analysis a = probe_and_diagnose(parse_program(text), options, cancel, progress);
    if (!options.probe || a.trace.status != ProbeStatus::Ok) return policed(std::move(a));
    if (options.validate_fixes)
        validate_fixes(text, a.program, a.trace, a.findings, options.probe_options, cancel);
    // After validation, so that the findings' own fixes keep their budget; a what-if finding arrives with
    // its fix already validated.
    if (options.whatif) {
        WhatIfResult whatif =
            run_whatif(text, a.program, a.trace, a.findings, options.probe_options, {}, cancel);
        settle_classifier_alarms(a.findings, whatif.unconfirmed);
        a.findings = merge_findings(std::move(a.findings), std::move(whatif.findings));
    }
    return policed(std::move(a));
}

} // namespace faultline
