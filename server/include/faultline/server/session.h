// A language server session: lifecycle, open documents, analyses and their publication. Transport-agnostic
// (messages in as JSON, out through a Transport) and single-threaded on one io_context, so tests drive it
// with an in-memory transport and the real server with stdin/stdout. Handlers live in src/handlers/, one file
// per feature; src/routes.cpp is the one table that maps methods to them.
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

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
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

// An open text document and what is known about it.
struct OpenDocument {
    OpenDocument(boost::asio::io_context& io, std::string uri, int64_t version, std::string text);

    std::string uri;
    int64_t version;
    Document doc;
    const LineIndex& index(); // of the current text, rebuilt after edits

    std::vector<Finding> static_findings;
    int64_t static_version = -1;         // version the static findings describe
    std::vector<Finding> probe_findings; // from the worker; shifted through later edits
    std::optional<Trace> trace;
    int64_t probe_version = -1;   // version the probe last ran on
    std::vector<Finding> current; // what was last published (static + probe, merged)
    int64_t published_version = -1;
    boost::asio::steady_timer static_timer;
    boost::asio::steady_timer probe_timer;

    void invalidate_index() { index_.reset(); }

private:
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
    void run_static(OpenDocument& doc);
    void publish(OpenDocument& doc);
    void ensure_current(OpenDocument& doc); // findings of the current version, published, before answering
    json diagnostics_json(OpenDocument& doc);
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
