// The whole path from text to findings, shared by `faultline check` and the language server so that both
// report the same thing.
#pragma once

#include "faultline/engine/diagnose.h"
#include "faultline/engine/finding.h"
#include "faultline/engine/probe.h"
#include "faultline/engine/rules.h"
#include "faultline/engine/trace.h"
#include "faultline/parser/program.h"

#include <atomic>
#include <functional>
#include <string_view>
#include <vector>

namespace faultline {

struct AnalysisOptions {
    bool probe = true;
    bool validate_fixes = true;
    // What-if diagnosis (whatif.h): probe the candidate changes of the fault types nothing else named.
    bool whatif = true;
    // The probe the diagnosis models were trained on (their features only mean something for traces of this
    // size), with the user's time budget as the safety net.
    ProbeOptions probe_options = interactive_probe_options();
    CheckOptions checks;

    static ProbeOptions interactive_probe_options() {
        ProbeOptions o = diagnosis_probe_options();
        o.budget_seconds = 3.0;
        return o;
    }
};

struct Analysis {
    TrainingProgram program;
    std::vector<Finding> findings; // merged: one per (fault, statement), strongest evidence first
    Trace trace;                   // status Skipped when the probe did not run
    std::vector<std::string> skipped_reasons;
};

// Static findings only: instant.
Analysis analyze_static(const TrainingProgram& program, const CheckOptions& checks);

// Static checks, then the probe and diagnosis when enabled (no fix validation: that needs the text).
Analysis analyze(const TrainingProgram& program, const AnalysisOptions& options,
                 const std::atomic<bool>* cancel = nullptr,
                 const std::function<void(const ProbeProgress&)>& progress = {});

// The whole path on a script's text: parse, static checks, probe, diagnosis, and validation of the fixes
// (each candidate edit applied to the text, re-parsed and probed) when options.validate_fixes is set.
Analysis analyze_text(std::string_view text, const AnalysisOptions& options,
                      const std::atomic<bool>* cancel = nullptr,
                      const std::function<void(const ProbeProgress&)>& progress = {});

// The longest wall time analyze_text may take with these options: the probe's budget, then fix validation's
// and the what-if probes', each a multiple of it, times the clock's safety factor kWallCapFactor (parsing
// and static checks aside). The language server
// counts a worker as hung only past this.
double analysis_wall_cap_seconds(const AnalysisOptions& options);

// Merges two finding lists: one finding per (fault, statement start); the higher confidence wins, sources and
// fixes of both are kept.
std::vector<Finding> merge_findings(std::vector<Finding> a, std::vector<Finding> b);

} // namespace faultline
