// The pipe protocol between the server and its probe worker: one JSON object per line.
//   server -> worker: {"id": N, "text": "...", "options": {...}}      start an analysis (cancels a running
//   one)
//                     {"cancel": N}                                   stop analysis N
//   worker -> server: {"id": N, "progress": {"epoch", "total_epochs", "train_loss", "train_acc"}}
//                     {"id": N, "result": {"findings": [...], "trace": {...}, "skipped_reasons": [...]}}
//                     {"id": N, "error": "message"}
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/pipeline.h"
#include "faultline/engine/probe.h"
#include "faultline/server/protocol.h"

#include <functional>
#include <istream>
#include <ostream>

namespace faultline::server {

// Findings travel in the lossless byte-offset form of engine/report.h.
json encode_finding(const Finding& f);
Finding decode_finding(const json& j); // throws json::exception on a malformed object
json encode_options(const AnalysisOptions& o);
AnalysisOptions decode_options(const json& j);
json encode_progress(const ProbeProgress& p);
ProbeProgress decode_progress(const json& j);

struct WorkerResult {
    std::vector<Finding> findings;
    Trace trace;
    std::vector<std::string> skipped_reasons;
};
json encode_result(const Analysis& a);
WorkerResult decode_result(const json& j);

using AnalyzeFn = std::function<Analysis(const std::string& text, const AnalysisOptions& options,
                                         const std::atomic<bool>* cancel,
                                         const std::function<void(const ProbeProgress&)>& progress)>;

// The worker's loop: reads requests from `in` until end of input, runs one analysis at a time on a thread of
// its own (so a cancel line is read while it runs), writes events to `out`.
int serve_worker(std::istream& in, std::ostream& out, const AnalyzeFn& analyze);

} // namespace faultline::server
