// The server's side of the probe worker: one long-lived child process (`faultline worker`), spawned with
// fork/exec and spoken to over pipes on the server's io_context. When it dies the job in flight fails with a
// reason and the next job starts a fresh worker; the server itself never goes down with it.
#pragma once

#include "faultline/server/worker_protocol.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace faultline::server {

class WorkerClient {
public:
    struct Events {
        std::function<void(uint64_t job, const ProbeProgress&)> progress;
        std::function<void(uint64_t job, WorkerResult&&)> result;
        std::function<void(uint64_t job, const std::string& reason)> failed;
    };

    WorkerClient(boost::asio::io_context& io, std::vector<std::string> command, Events events);
    ~WorkerClient();
    WorkerClient(const WorkerClient&) = delete;
    WorkerClient& operator=(const WorkerClient&) = delete;

    // Spawns the process if it is not running (start-up cost is paid before the first probe).
    bool ensure_started(std::string* error = nullptr);
    // Starts a job; a job still running is cancelled first. A job silent for longer than `deadline` is
    // treated as hung: the worker is killed and the job fails.
    uint64_t submit(const std::string& text, const AnalysisOptions& options,
                    std::chrono::milliseconds deadline);
    // Asks the worker to stop the job; kills it when it does not answer within `grace`.
    void cancel(uint64_t job, std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
    bool busy() const;
    int pid() const;
    int spawn_count() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace faultline::server
