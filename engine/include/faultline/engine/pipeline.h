// The whole path from text to findings, shared by `faultline check` and the language server so that both
// report the same thing.
#pragma once

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
    ProbeOptions probe_options;
    CheckOptions checks;
};

struct Analysis {
    TrainingProgram program;
    std::vector<Finding> findings; // merged: one per (fault, statement), strongest evidence first
    Trace trace;                   // status Skipped when the probe did not run
    std::vector<std::string> skipped_reasons;
};

// Static findings only: instant.
Analysis analyze_static(const TrainingProgram& program, const CheckOptions& checks);

// Static checks, then the probe, diagnosis and fix validation when enabled.
Analysis analyze(const TrainingProgram& program, const AnalysisOptions& options,
                 const std::atomic<bool>* cancel = nullptr,
                 const std::function<void(const ProbeProgress&)>& progress = {});

// Merges two finding lists: one finding per (fault, statement start); the higher confidence wins, sources and
// fixes of both are kept.
std::vector<Finding> merge_findings(std::vector<Finding> a, std::vector<Finding> b);

} // namespace faultline
