// Static analysis after an adaptive debounce on the analysis pool, publication (push), and
// textDocument/diagnostic (pull).
#include "faultline/engine/pipeline.h"
#include "faultline/engine/project_config.h"
#include "faultline/server/log.h"
#include "faultline/server/lsp_findings.h"
#include "faultline/server/session.h"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace faultline::server {

void Session::schedule_static(OpenDocument& doc) {
    doc.static_timer.expires_after(debounce_.delay());
    doc.static_timer.async_wait([this, uri = doc.uri](const boost::system::error_code& ec) {
        if (ec) return;
        auto it = documents_.find(uri);
        if (it == documents_.end()) return;
        submit_static(*it->second);
    });
}

void Session::submit_static(OpenDocument& doc) {
    doc.static_timer.cancel();
    struct Job {
        std::optional<std::string> reset;
        std::vector<TextEdit> edits;
        CheckOptions checks;
    } job{std::move(doc.pending_reset), std::move(doc.pending_edits), {}};
    doc.pending_reset.reset();
    doc.pending_edits.clear();
    job.checks.disabled = config_.disabled_checks;
    uint64_t seq = next_analysis_seq_++;
    doc.analysis_seq = seq;
    doc.analysis_version = doc.version;
    doc.syntax->latest_seq = seq;
    boost::asio::post(doc.syntax->strand, [this, syntax = doc.syntax, job = std::move(job), seq,
                                           version = doc.version, uri = doc.uri,
                                           alive = std::weak_ptr<int>(alive_)]() mutable {
        // Runs on the analysis pool: only `syntax->doc`, the job's own data and the counters are touched
        // here.
        if (syntax->closed || stopping_) return;
        {
            std::lock_guard lock(analysis_mutex_);
            ++analyses_running_;
        }
        struct Done {
            Session* self;
            ~Done() {
                std::lock_guard lock(self->analysis_mutex_);
                --self->analyses_running_;
                self->analysis_idle_.notify_all();
            }
        } done{this};
        auto start = std::chrono::steady_clock::now();
        std::vector<Finding> findings;
        std::string error;
        try {
            if (job.reset) {
                if (syntax->doc)
                    syntax->doc->reset(std::move(*job.reset));
                else
                    syntax->doc.emplace(std::move(*job.reset));
            }
            // Only when constructing the first Document threw (out of memory): the edits have no base.
            if (!syntax->doc) throw std::runtime_error("the document's first parse failed; reopen it");
            // Every job's edits are applied, even a superseded one's: the next job starts from them.
            for (const TextEdit& edit : job.edits)
                syntax->doc->apply(edit);
            // A newer version is already queued: its analysis is the one that will be published.
            if (syntax->latest_seq != seq || syntax->closed || stopping_) return;
            findings = analyze_static(syntax->doc->extract(), job.checks).findings;
        } catch (const std::exception& e) {
            error = e.what();
            findings.clear();
        }
        double elapsed =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        boost::asio::post(io_, [this, alive, uri = std::move(uri), seq, version,
                                findings = std::move(findings), elapsed, error = std::move(error)]() mutable {
            if (alive.expired()) return;
            on_static_result(uri, seq, version, std::move(findings), elapsed, error);
        });
    });
}

bool Session::wait_for_analyses(std::chrono::milliseconds timeout) {
    std::unique_lock lock(analysis_mutex_);
    return analysis_idle_.wait_for(lock, timeout, [this] { return analyses_running_ == 0; });
}

void Session::on_static_result(const std::string& uri, uint64_t seq, int64_t version,
                               std::vector<Finding> findings, double elapsed_ms, const std::string& error) {
    debounce_.record(std::chrono::duration<double, std::milli>(elapsed_ms));
    if (!error.empty()) log_error("static analysis failed on " + uri + ": " + error);
    auto it = documents_.find(uri);
    // Stale (a newer job was submitted, the document changed, closed or was reopened): dropped.
    if (it == documents_.end() || it->second->analysis_seq != seq) return;
    OpenDocument& doc = *it->second;
    doc.analysis_seq = 0;
    if (doc.version != version) return; // changed since; its debounce timer submits the new version
    log_debug("static analysis of " + uri + " v" + std::to_string(version) + ": " +
              std::to_string(findings.size()) + " findings in " + std::to_string(elapsed_ms) + " ms");
    doc.static_findings = std::move(findings);
    doc.static_version = version;
    if (state_ == State::Running && !exit_code_)
        publish(doc);
    else
        diagnostics_json(doc); // after shutdown nothing is sent, but parked requests see the findings
    auto waiters = std::move(doc.waiters);
    doc.waiters.clear();
    for (auto& waiter : waiters) {
        auto pending = pending_.find(waiter.key);
        if (pending == pending_.end()) continue; // cancelled meanwhile
        Reply reply = std::move(pending->second.reply);
        pending_.erase(pending);
        try {
            waiter.resume(reply);
        } catch (const RpcError& e) {
            reply.error(e.code, e.what());
        } catch (const json::exception& e) {
            reply.error(error_code::InvalidParams, std::string("invalid params: ") + e.what());
        } catch (const std::exception& e) {
            reply.error(error_code::InternalError, e.what());
        }
    }
}

bool Session::when_analyzed(OpenDocument& doc, Reply& reply, std::function<void(Reply&)> resume,
                            bool static_only) {
    bool current = static_only ? doc.static_version == doc.version : doc.published_version == doc.version;
    if (current) return false;
    // A request inside the debounce window must not read ranges of the previous text (a code action built
    // from them would edit the wrong bytes): analyze now and answer when that version's findings are in. The
    // reply is parked, not the I/O thread.
    if (!(doc.analysis_seq != 0 && doc.analysis_version == doc.version)) submit_static(doc);
    std::string key = defer(std::move(reply), nullptr);
    doc.waiters.push_back({key, std::move(resume)});
    return true;
}

void Session::fail_waiters(OpenDocument& doc, const std::string& why) {
    auto waiters = std::move(doc.waiters);
    doc.waiters.clear();
    for (auto& waiter : waiters)
        fail(waiter.key, error_code::ContentModified, why);
}

void Session::publish_when_current(OpenDocument& doc) {
    if (doc.static_version == doc.version) return publish(doc);
    // on_static_result publishes static + probe findings together.
    if (!(doc.analysis_seq != 0 && doc.analysis_version == doc.version)) submit_static(doc);
}

std::vector<Finding> Session::current_findings(const OpenDocument& doc) const {
    if (doc.probe_complete && doc.probe_version == doc.version) return doc.probe_findings;
    std::vector<Finding> probed;
    for (const Finding& f : doc.probe_findings)
        if (has_probe_evidence(f)) probed.push_back(f);
    return merge_findings(doc.static_findings, std::move(probed));
}

json Session::diagnostics_json(OpenDocument& doc) {
    doc.current = current_findings(doc);
    // The project's [tool.faultline] and the suppression comments, as `faultline check` applies them.
    ProjectConfig project = load_project_config_for_uri(doc.uri);
    if (!project.error.empty()) log_warn(project.error);
    apply_project_config(project, doc.text(), doc.current);
    doc.published_version = doc.version;
    json items = json::array();
    for (const Finding& f : doc.current) {
        json d = lsp_diagnostic(f, doc.index(), encoding_, doc.uri);
        if (!client_related_information_) d.erase("relatedInformation");
        items.push_back(std::move(d));
    }
    return items;
}

void Session::publish(OpenDocument& doc) {
    json items = diagnostics_json(doc);
    if (client_pull_diagnostics_) {
        // Pull clients ask again when told that results changed.
        if (client_diagnostic_refresh_) call("workspace/diagnostic/refresh", nullptr, nullptr);
        return;
    }
    notify("textDocument/publishDiagnostics",
           {{"uri", doc.uri}, {"version", doc.version}, {"diagnostics", std::move(items)}});
}

void Session::on_document_diagnostic(const json& params, Reply& reply) {
    OpenDocument& doc = require_document(params);
    if (when_analyzed(
            doc, reply, [this, params](Reply& r) { on_document_diagnostic(params, r); }, true))
        return;
    std::string result_id = std::to_string(doc.version) + "." + std::to_string(doc.probe_version) + "." +
                            std::to_string(doc.probe_findings.size());
    const json* previous = optional_field(params, "previousResultId");
    if (previous && previous->is_string() && previous->get<std::string>() == result_id) {
        reply.result({{"kind", "unchanged"}, {"resultId", result_id}});
        return;
    }
    reply.result({{"kind", "full"}, {"resultId", result_id}, {"items", diagnostics_json(doc)}});
}

} // namespace faultline::server
