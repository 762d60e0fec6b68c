#include "faultline/engine/diagnose.h"
#include "faultline/engine/pipeline.h"

#include <chrono>

namespace faultline {

Analysis analyze_static(const TrainingProgram& program, const CheckOptions& checks) {
    Analysis a;
    a.program = program;
    a.findings = merge_findings(run_static_checks(program, checks), {});
    a.trace.status = ProbeStatus::Skipped;
    a.trace.reason = "probe not run";
    return a;
}

namespace {

// Why the probe cannot run on this program, or empty when it can.
std::string probe_blocker(const TrainingProgram& program) {
    if (!program.has_model()) return "no model found in the script";
    for (const auto& note : program.notes)
        if (note.blocks_probe) return note.message;
    return {};
}

} // namespace

Analysis analyze(const TrainingProgram& program, const AnalysisOptions& options,
                 const std::atomic<bool>* cancel, const std::function<void(const ProbeProgress&)>& progress) {
    Analysis a = analyze_static(program, options.checks);
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
    return probes * options.probe_options.budget_seconds;
}

Analysis analyze_text(std::string_view text, const AnalysisOptions& options, const std::atomic<bool>* cancel,
                      const std::function<void(const ProbeProgress&)>& progress) {
    Analysis a = analyze(parse_program(text), options, cancel, progress);
    if (!options.probe || a.trace.status != ProbeStatus::Ok) return a;
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
    return a;
}

} // namespace faultline
