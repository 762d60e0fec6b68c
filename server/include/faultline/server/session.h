// A language server session: lifecycle, open documents, analyses and their publication. Transport-agnostic
// (messages in as JSON, out through a Transport). All session state lives on one io_context thread, so tests
// drive it with an in-memory transport and the real server with stdin/stdout; only the parse + static checks
// run on a small analysis pool (see SyntaxState) and post their results back. Handlers live in src/handlers/,
// one file per feature; src/routes.cpp is the one table that maps methods to them.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/probe.h"
#include "faultline/engine/trace.h"
#include "faultline/parser/parse.h"
#include "faultline/server/config.h"
#include "faultline/server/debounce.h"
#include "faultline/server/reply.h"
#include "faultline/server/transport.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace faultline::server {

class WorkerClient;
struct WorkerResult;

struct SessionOptions {
    std::vector<std::string> worker_command; // empty: no probe worker (probes report that they cannot run)
    std::chrono::milliseconds probe_quiet{2000}; // probe after this long without edits
    std::chrono::milliseconds probe_deadline_slack{
        30000};                           // on top of the budget before a worker counts as hung
    std::optional<int> client_process_id; // from --clientProcessId; initialize's processId also counts
};

// The tree-sitter Document of one open document, owned by the analysis pool. Why this split: Document is not
// thread-safe and a 10 MB one costs seconds to parse, re-parse and extract, so neither may run on the I/O
// thread nor be shared with it. The I/O thread keeps its own copy of the text (edits are spliced into both: a
// memmove, milliseconds at 10 MB) and hands the edits since the last analysis to a job; jobs of one document
// run in order on its strand, so `doc` is touched by one thread at a time and still re-parses incrementally.
// Different documents run in parallel on the pool, so a small file is not stuck behind a big one.
struct SyntaxState {
    explicit SyntaxState(boost::asio::thread_pool& pool) : strand(boost::asio::make_strand(pool)) {}
    boost::asio::strand<boost::asio::thread_pool::executor_type> strand;
    std::optional<Document> doc;         // only on `strand`
    std::atomic<uint64_t> latest_seq{0}; // the newest job submitted; older ones skip their analysis
    std::atomic<bool> closed{false};     // the document was closed or replaced: queued jobs do nothing
};

// An open text document and what is known about it.
struct OpenDocument {
    OpenDocument(boost::asio::io_context& io, boost::asio::thread_pool& pool, std::string uri,
                 int64_t version, std::string text);
    ~OpenDocument();
    OpenDocument(const OpenDocument&) = delete;
    OpenDocument& operator=(const OpenDocument&) = delete;

    std::string uri;
    int64_t version;
    const std::string& text() const { return text_; }
    const LineIndex& index(); // of the current text, rebuilt after edits
    // Edits the I/O thread's text and queues the same edit for the analysis' Document.
    void apply(TextEdit edit);
    void reset(std::string text);

    // What the next analysis job must apply to the pool's Document before analyzing.
    std::optional<std::string> pending_reset;
    std::vector<TextEdit> pending_edits;
    std::shared_ptr<SyntaxState> syntax;
    uint64_t analysis_seq = 0;     // the job whose result is awaited (0: none)
    int64_t analysis_version = -1; // the version that job analyzes
    // Requests parked until the static findings of the current version are in (Session::when_analyzed).
    struct Waiter {
        std::string key; // in Session::pending_
        std::function<void(Reply&)> resume;
    };
    std::vector<Waiter> waiters;

    std::vector<Finding> static_findings;
    int64_t static_version = -1;         // version the static findings describe
    // From the worker; shifted through later edits. When `probe_complete`, the worker's whole analysis of
    // version `probe_version` (static findings included), else only a note of why the probe failed.
    std::vector<Finding> probe_findings;
    bool probe_complete = false;
    std::optional<Trace> trace;
    int64_t probe_version = -1;   // version the probe last ran on
    std::vector<Finding> current; // what was last published (static + probe, merged)
    int64_t published_version = -1;
    boost::asio::steady_timer static_timer;
    boost::asio::steady_timer probe_timer;

private:
    std::string text_;
    std::optional<LineIndex> index_;
};

class Session {
public:
    Session(boost::asio::io_context& io, Transport& transport, SessionOptions options = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // One framed message body. Malformed JSON is answered with ParseError and the session goes on.
    void handle_raw(std::string_view body);
    void handle(const json& message);
    void end_of_input();

    std::optional<int> exit_code() const { return exit_code_; }
    void on_exit(std::function<void(int)> callback) { exit_callback_ = std::move(callback); }

    // Introspection for tests and the benchmark.
    const OpenDocument* document(const std::string& uri) const;
    const Config& config() const { return config_; }
    // Waits until no analysis job runs on the pool (after exit none starts). False when one still runs after
    // `timeout`: a parse of a huge document cannot be interrupted, so the process may end without it.
    bool wait_for_analyses(std::chrono::milliseconds timeout);
    PositionEncoding encoding() const { return encoding_; }

    // The route table (src/routes.cpp) binds to these.
    using RequestHandler = void (Session::*)(const json& params, Reply& reply);
    using NotificationHandler = void (Session::*)(const json& params);

private:
    friend struct Routes;

    // lifecycle.cpp
    void on_initialize(const json& params, Reply& reply);
    void on_initialized(const json& params);
    void on_shutdown(const json& params, Reply& reply);
    void on_exit_notification(const json& params);
    void on_set_trace(const json& params);
    // text_sync.cpp
    void on_did_open(const json& params);
    void on_did_change(const json& params);
    void on_did_save(const json& params);
    void on_did_close(const json& params);
    // diagnostics.cpp
    void on_document_diagnostic(const json& params, Reply& reply);
    void schedule_static(OpenDocument& doc);
    void submit_static(OpenDocument& doc); // hands the pending edits to the analysis pool now
    void on_static_result(const std::string& uri, uint64_t seq, int64_t version,
                          std::vector<Finding> findings, double elapsed_ms, const std::string& error);
    void publish(OpenDocument& doc);
    // Publishes now when the static findings are current, else once the analysis of this version is in.
    void publish_when_current(OpenDocument& doc);
    // Runs `resume` with the reply once the current version's findings are published: at once when they are,
    // else after its analysis (submitted now, skipping the debounce). Returns true when the reply was parked.
    bool when_analyzed(OpenDocument& doc, Reply& reply, std::function<void(Reply&)> resume,
                       bool static_only = false);
    void fail_waiters(OpenDocument& doc, const std::string& why);
    json diagnostics_json(OpenDocument& doc);
    // What to publish: the worker's analysis when it describes the current version, else the static findings
    // merged with the probe's evidence carried over from an earlier version.
    std::vector<Finding> current_findings(const OpenDocument& doc) const;
    // probe.cpp (probe scheduling, worker events, progress)
    void ensure_worker();
    void schedule_probe(OpenDocument& doc, std::chrono::milliseconds delay);
    void start_probe(const std::string& uri, bool force);
    void start_next_probe();
    void cancel_probe_for(const std::string& uri, int code, const std::string& why);
    void on_probe_progress(uint64_t job, const ProbeProgress& progress);
    void on_probe_result(uint64_t job, WorkerResult&& result);
    void on_probe_failed(uint64_t job, const std::string& reason);
    void finish_probe(int error_code, const std::string& error, const json& result);
    void on_progress_cancel(const json& params);
    // hover.cpp
    void on_hover(const json& params, Reply& reply);
    // code_actions.cpp
    void on_code_action(const json& params, Reply& reply);
    void on_code_action_resolve(const json& params, Reply& reply);
    // commands.cpp
    void on_execute_command(const json& params, Reply& reply);
    // configuration.cpp
    void on_did_change_configuration(const json& params);
    void apply_config(const json& settings);
    // cancel.cpp
    void on_cancel_request(const json& params);

    // Plumbing (session.cpp).
    void send(const json& message);
    void notify(const std::string& method, json params);
    void call(const std::string& method, json params, std::function<void(const json* result)> on_done);
    void handle_request(const json& message);
    void handle_notification(const json& message);
    void handle_response(const json& message);
    OpenDocument& require_document(const json& params); // textDocument.uri; InvalidParams when unknown
    std::string defer(Reply reply, std::function<void()> on_cancel); // keeps a request open; returns its key
    void complete(const std::string& key, json result);
    void fail(const std::string& key, int code, const std::string& message);
    void request_exit(int code);
    void watch_client_process();

    boost::asio::io_context& io_;
    Transport& transport_;
    SessionOptions options_;
    Config config_;
    DebouncePolicy debounce_;

    enum class State { Uninitialized, Running, ShutDown } state_ = State::Uninitialized;
    std::optional<int> exit_code_;
    std::function<void(int)> exit_callback_;

    // Client capabilities that change what we send.
    PositionEncoding encoding_ = PositionEncoding::Utf16;
    bool client_work_done_progress_ = false;
    bool client_pull_diagnostics_ = false;
    bool client_diagnostic_refresh_ = false;
    bool client_code_action_resolve_ = false;
    bool client_related_information_ = true;
    std::optional<int> client_process_id_;
    std::unique_ptr<boost::asio::steady_timer> client_watch_timer_;

    // Parse + static checks (see SyntaxState). Declared before the documents, whose strands belong to it; the
    // destructor joins it first, so no job runs while members go away.
    boost::asio::thread_pool analysis_pool_{2};
    uint64_t next_analysis_seq_ = 1;
    std::atomic<bool> stopping_{false};
    // Results posted after the session died are dropped.
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
    std::mutex analysis_mutex_;
    std::condition_variable analysis_idle_;
    int analyses_running_ = 0; // guarded by analysis_mutex_

    std::map<std::string, std::unique_ptr<OpenDocument>> documents_;

    struct Pending {
        Reply reply;
        std::function<void()> on_cancel;
    };
    std::map<std::string, Pending> pending_; // deferred requests by id (dumped)
    int64_t next_outgoing_id_ = 1;
    std::map<int64_t, std::function<void(const json* result)>> outgoing_;

    // The probe: one worker, one job at a time, a queue of documents waiting.
    std::unique_ptr<WorkerClient> worker_;
    struct ProbeJob {
        std::string uri;
        int64_t version = 0;
        uint64_t worker_job = 0;
        std::chrono::steady_clock::time_point started;
        std::string progress_token; // empty: no $/progress
        bool progress_begun = false;
        std::vector<std::string> waiting; // deferred faultline.runProbe requests
    };
    std::optional<ProbeJob> probe_;
    std::deque<std::string> probe_queue_;
    std::map<std::string, std::vector<std::string>> probe_waiters_; // runProbe requests queued per uri
    int64_t next_progress_token_ = 1;
    std::string last_trace_uri_;
};

} // namespace faultline::server
