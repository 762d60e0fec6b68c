// The probe: when it runs (after save, after a quiet period, on request), its progress, and its results.
#include "faultline/engine/pipeline.h"
#include "faultline/engine/project_config.h"
#include "faultline/server/log.h"
#include "faultline/server/session.h"
#include "faultline/server/worker_client.h"

#include <cmath>
#include <cstdio>

namespace faultline::server {
namespace {

// A probe that could not run is worth one quiet line in the editor, at the top of the file: the static
// findings still stand, and the user learns why the trained evidence is missing.
Finding probe_note(const std::string& reason) {
    Finding f;
    f.severity = Severity::Information;
    f.confidence = 1.0;
    f.message = "probe failed: " + reason;
    f.sources = {EvidenceSource::Probe};
    return f;
}

std::string file_name(const std::string& uri) {
    auto slash = uri.find_last_of('/');
    return slash == std::string::npos ? uri : uri.substr(slash + 1);
}

} // namespace

void Session::ensure_worker() {
    if (worker_ || options_.worker_command.empty()) return;
    WorkerClient::Events events;
    events.progress = [this](uint64_t job, const ProbeProgress& p) { on_probe_progress(job, p); };
    events.result = [this](uint64_t job, WorkerResult&& r) { on_probe_result(job, std::move(r)); };
    events.failed = [this](uint64_t job, const std::string& reason) { on_probe_failed(job, reason); };
    worker_ = std::make_unique<WorkerClient>(io_, options_.worker_command, std::move(events));
}

void Session::schedule_probe(OpenDocument& doc, std::chrono::milliseconds delay) {
    if (!config_.probe_enabled || options_.worker_command.empty()) return;
    doc.probe_timer.expires_after(delay);
    doc.probe_timer.async_wait([this, uri = doc.uri](const boost::system::error_code& ec) {
        if (!ec) start_probe(uri, /*force=*/false);
    });
}

void Session::start_probe(const std::string& uri, bool force) {
    auto it = documents_.find(uri);
    if (it == documents_.end() || state_ != State::Running) return;
    OpenDocument& doc = *it->second;
    if (probe_) {
        if (probe_->uri == uri && probe_->version == doc.version) {
            for (auto& key : probe_waiters_[uri])
                probe_->waiting.push_back(key);
            probe_waiters_.erase(uri);
            return;
        }
        if (probe_->uri == uri) {
            cancel_probe_for(uri, error_code::ContentModified,
                             "a newer version of the document is being probed");
        }
        if (probe_) { // busy with another document (possibly started from the queue just now)
            if (std::find(probe_queue_.begin(), probe_queue_.end(), uri) == probe_queue_.end())
                probe_queue_.push_back(uri);
            return;
        }
    }
    if (!force && doc.probe_version == doc.version) return; // this text was probed already
    ensure_worker();
    if (!worker_) return;

    // The same options as `faultline check`, so that the editor and the command line report the same
    // findings: the whole pipeline (probe, diagnosis, fix validation, what-if) runs in the worker.
    AnalysisOptions options;
    options.probe = true;
    options.probe_options.budget_seconds = config_.budget_seconds;
    // A project's pyproject.toml budget is the project's word, as it is for `faultline check`.
    if (auto project = load_project_config_for_uri(uri).budget_seconds)
        options.probe_options.budget_seconds = *project;
    options.probe_options.memory_limit_bytes = config_.memory_limit_mb << 20;
    options.checks.disabled = config_.disabled_checks;
    auto deadline =
        std::chrono::milliseconds(static_cast<int64_t>(analysis_wall_cap_seconds(options) * 1000)) +
        options_.probe_deadline_slack;

    ProbeJob job;
    job.uri = uri;
    job.version = doc.version;
    job.started = std::chrono::steady_clock::now();
    job.waiting = std::move(probe_waiters_[uri]);
    probe_waiters_.erase(uri);
    job.worker_job = worker_->submit(doc.text(), options, deadline);
    log_info("probe " + std::to_string(job.worker_job) + " started on " + uri + " v" +
             std::to_string(doc.version));
    if (client_work_done_progress_) {
        job.progress_token = "faultline-probe-" + std::to_string(next_progress_token_++);
        std::string token = job.progress_token;
        std::string title = file_name(uri);
        call("window/workDoneProgress/create", {{"token", token}}, [this, token, title](const json* ok) {
            // The token is usable only once the client accepted it, and only while the same probe runs.
            if (!ok || !probe_ || probe_->progress_token != token) return;
            probe_->progress_begun = true;
            notify("$/progress", {{"token", token},
                                  {"value",
                                   {{"kind", "begin"},
                                    {"title", "faultline probe"},
                                    {"cancellable", true},
                                    {"message", title},
                                    {"percentage", 0}}}});
        });
    }
    probe_ = std::move(job);
}

void Session::start_next_probe() {
    while (!probe_ && !probe_queue_.empty()) {
        std::string uri = probe_queue_.front();
        probe_queue_.pop_front();
        start_probe(uri, probe_waiters_.count(uri) > 0);
    }
}

void Session::on_probe_progress(uint64_t job, const ProbeProgress& p) {
    if (!probe_ || probe_->worker_job != job || !probe_->progress_begun) return;
    char message[128];
    std::snprintf(message, sizeof message, "epoch %lld/%lld · loss %.3g · acc %.2f",
                  static_cast<long long>(p.epoch), static_cast<long long>(p.total_epochs), p.train_loss,
                  p.train_acc);
    json value = {{"kind", "report"}, {"message", message}, {"cancellable", true}};
    if (p.total_epochs > 0) value["percentage"] = std::clamp<int64_t>(p.epoch * 100 / p.total_epochs, 0, 100);
    notify("$/progress", {{"token", probe_->progress_token}, {"value", std::move(value)}});
}

void Session::on_probe_result(uint64_t job, WorkerResult&& result) {
    if (!probe_ || probe_->worker_job != job) return; // a cancelled job's late answer
    auto it = documents_.find(probe_->uri);
    if (it == documents_.end() || it->second->version != probe_->version) {
        log_info("dropped a probe result for an older version of " + probe_->uri);
        finish_probe(error_code::ContentModified, "the document changed while the probe ran", nullptr);
        return;
    }
    OpenDocument& doc = *it->second;
    // The worker ran the whole pipeline on this version's text, static checks included: its findings are
    // this version's findings, with validated fixes and what-if verdicts that the static pass cannot have.
    doc.probe_findings = std::move(result.findings);
    doc.probe_complete = true;
    if (result.trace.status == ProbeStatus::Failed)
        doc.probe_findings.push_back(
            probe_note(result.trace.reason.empty() ? "unknown reason" : result.trace.reason));
    doc.trace = std::move(result.trace);
    doc.probe_version = doc.version;
    last_trace_uri_ = doc.uri;
    publish_when_current(doc);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - probe_->started).count();
    finish_probe(0, "",
                 {{"status", to_string(doc.trace->status)},
                  {"reason", doc.trace->reason},
                  {"findings", doc.current.size()},
                  {"probeFindings", doc.probe_findings.size()},
                  {"skipped", result.skipped_reasons},
                  {"seconds", seconds}});
}

void Session::on_probe_failed(uint64_t job, const std::string& reason) {
    if (!probe_ || probe_->worker_job != job) return;
    log_warn("probe failed on " + probe_->uri + ": " + reason);
    auto it = documents_.find(probe_->uri);
    if (it != documents_.end() && it->second->version == probe_->version) {
        OpenDocument& doc = *it->second;
        doc.probe_findings = {probe_note(reason)};
        doc.probe_complete = false;
        doc.probe_version = doc.version;
        publish_when_current(doc);
    }
    finish_probe(0, "", {{"status", "failed"}, {"reason", reason}});
}

void Session::finish_probe(int code, const std::string& error, const json& result) {
    if (!probe_) return;
    ProbeJob job = std::move(*probe_);
    probe_.reset();
    if (job.progress_begun)
        notify("$/progress", {{"token", job.progress_token},
                              {"value",
                               {{"kind", "end"},
                                {"message", code ? error : result.value("status", std::string("done"))}}}});
    for (const std::string& key : job.waiting) {
        if (code)
            fail(key, code, error);
        else
            complete(key, result);
    }
    start_next_probe();
}

void Session::cancel_probe_for(const std::string& uri, int code, const std::string& why) {
    if (!probe_ || probe_->uri != uri) return;
    log_info("probe on " + uri + " cancelled: " + why);
    if (worker_) worker_->cancel(probe_->worker_job);
    finish_probe(code, why, nullptr);
}

void Session::on_progress_cancel(const json& params) {
    const json* token = optional_field(params, "token");
    if (!token || !probe_ || !token->is_string() || token->get<std::string>() != probe_->progress_token)
        return;
    cancel_probe_for(probe_->uri, error_code::RequestCancelled, "cancelled by the user");
}

} // namespace faultline::server
