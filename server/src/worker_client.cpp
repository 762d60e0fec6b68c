#include "faultline/server/worker_client.h"

#include "faultline/server/log.h"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace faultline::server {

namespace asio = boost::asio;

struct WorkerClient::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& io_, std::vector<std::string> command_, Events events_)
        : io(io_), command(std::move(command_)), events(std::move(events_)), deadline(io_), grace(io_) {}

    asio::io_context& io;
    std::vector<std::string> command;
    Events events;

    pid_t pid = -1;
    std::unique_ptr<asio::posix::stream_descriptor> to_child;
    std::unique_ptr<asio::posix::stream_descriptor> from_child;
    uint64_t generation = 0; // bumps on every spawn, so callbacks of a dead process are recognized
    std::array<char, 65536> read_buffer{};
    std::string line_buffer;
    std::deque<std::string> write_queue;
    bool writing = false;

    uint64_t next_job = 1;
    uint64_t current_job = 0;   // 0: idle
    uint64_t cancelled_job = 0; // cancelled, not yet acknowledged by the worker
    std::chrono::milliseconds job_deadline{0};
    asio::steady_timer deadline; // a job silent for this long means a hung worker
    asio::steady_timer grace;    // after a cancel, how long the worker may take to stop
    int spawns = 0;

    bool spawn(std::string* error) {
        if (pid > 0) return true;
        if (command.empty()) {
            if (error) *error = "no worker command";
            return false;
        }
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0) {
            if (error) *error = std::string("pipe: ") + std::strerror(errno);
            return false;
        }
        if (::pipe2(out, O_CLOEXEC) != 0) {
            if (error) *error = std::string("pipe: ") + std::strerror(errno);
            ::close(in[0]);
            ::close(in[1]);
            return false;
        }
        std::vector<char*> argv;
        for (std::string& a : command)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t child = ::fork();
        if (child < 0) {
            if (error) *error = std::string("fork: ") + std::strerror(errno);
            for (int fd : {in[0], in[1], out[0], out[1]})
                ::close(fd);
            return false;
        }
        if (child == 0) {
            // The worker must not outlive the server, whatever way the server ends.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::dup2(in[0], STDIN_FILENO);
            ::dup2(out[1], STDOUT_FILENO);
            ::setenv("OPENBLAS_NUM_THREADS", "1", 0);
            ::signal(SIGPIPE, SIG_DFL);
            ::execv(argv[0], argv.data());
            _exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        pid = child;
        ++generation;
        ++spawns;
        to_child = std::make_unique<asio::posix::stream_descriptor>(io, in[1]);
        from_child = std::make_unique<asio::posix::stream_descriptor>(io, out[0]);
        line_buffer.clear();
        write_queue.clear();
        writing = false;
        log_info("probe worker started (pid " + std::to_string(pid) + ")");
        read();
        return true;
    }

    void read() {
        std::weak_ptr<Impl> weak = shared_from_this();
        uint64_t gen = generation;
        from_child->async_read_some(
            asio::buffer(read_buffer), [weak, gen](const boost::system::error_code& ec, std::size_t n) {
                auto self = weak.lock();
                if (!self || gen != self->generation) return;
                if (ec) return self->died();
                self->line_buffer.append(self->read_buffer.data(), n);
                std::size_t start = 0;
                for (std::size_t nl; (nl = self->line_buffer.find('\n', start)) != std::string::npos;
                     start = nl + 1) {
                    self->on_line(std::string_view(self->line_buffer).substr(start, nl - start));
                    if (gen != self->generation) return; // the line's handler killed the worker
                }
                self->line_buffer.erase(0, start);
                self->read();
            });
    }

    void write(std::string data) {
        write_queue.push_back(std::move(data));
        if (!writing) write_next();
    }

    void write_next() {
        if (write_queue.empty() || !to_child) {
            writing = false;
            return;
        }
        writing = true;
        std::weak_ptr<Impl> weak = shared_from_this();
        uint64_t gen = generation;
        asio::async_write(*to_child, asio::buffer(write_queue.front()),
                          [weak, gen](const boost::system::error_code& ec, std::size_t) {
                              auto self = weak.lock();
                              if (!self || gen != self->generation) return;
                              if (ec) return self->died(); // EPIPE: the worker is gone
                              self->write_queue.pop_front();
                              self->write_next();
                          });
    }

    void arm_deadline() {
        std::weak_ptr<Impl> weak = shared_from_this();
        uint64_t gen = generation;
        deadline.expires_after(job_deadline);
        deadline.async_wait([weak, gen](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || gen != self->generation || self->current_job == 0) return;
            self->kill_and_fail("worker hung (no answer within the deadline); killed");
        });
    }

    void on_line(std::string_view text) {
        json message;
        try {
            message = json::parse(text);
        } catch (const json::exception&) {
            log_warn("probe worker wrote a line that is not JSON; ignored");
            return;
        }
        if (!message.is_object() || !message.contains("id") || !message["id"].is_number_integer()) {
            if (message.is_object() && message.contains("error"))
                log_warn("probe worker: " + dump_json(message["error"]));
            return;
        }
        uint64_t id = message["id"].get<uint64_t>();
        if (id == cancelled_job && (message.contains("result") || message.contains("error"))) {
            cancelled_job = 0;
            grace.cancel();
        }
        if (id != current_job) return; // events of a job cancelled before
        try {
            if (message.contains("progress")) {
                arm_deadline();
                if (events.progress) events.progress(id, decode_progress(message["progress"]));
            } else if (message.contains("result")) {
                WorkerResult result = decode_result(message["result"]);
                idle();
                if (events.result) events.result(id, std::move(result));
            } else if (message.contains("error")) {
                std::string reason =
                    message["error"].is_string() ? message["error"].get<std::string>() : "error";
                idle();
                if (events.failed) events.failed(id, reason);
            }
        } catch (const json::exception& e) {
            idle();
            if (events.failed)
                events.failed(id, std::string("malformed answer from the worker: ") + e.what());
        }
    }

    void idle() {
        current_job = 0;
        deadline.cancel();
        grace.cancel();
    }

    std::string reap() {
        if (pid <= 0) return "not running";
        int status = 0;
        pid_t r;
        do
            r = ::waitpid(pid, &status, 0);
        while (r < 0 && errno == EINTR);
        pid = -1;
        if (r < 0) return "exited";
        if (WIFSIGNALED(status)) {
            int sig = WTERMSIG(status);
            return std::string("signal ") + std::to_string(sig) + " (" + ::strsignal(sig) + ")";
        }
        if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
        return "ended";
    }

    void close_pipes() {
        ++generation; // every pending callback of this process becomes stale
        boost::system::error_code ignored;
        if (to_child) to_child->close(ignored);
        if (from_child) from_child->close(ignored);
        to_child.reset();
        from_child.reset();
        write_queue.clear();
        writing = false;
    }

    // The worker's stdout closed or a write failed: it crashed (or was killed). Reap it and fail its job.
    void died() {
        close_pipes();
        // After EOF the child may still be running (it closed stdout itself): make sure it ends.
        if (pid > 0) ::kill(pid, SIGKILL);
        std::string how = reap();
        log_warn("probe worker ended: " + how);
        uint64_t job = current_job;
        idle();
        if (job && events.failed) events.failed(job, "worker crashed (" + how + ")");
    }

    void kill_and_fail(const std::string& reason) {
        uint64_t job = current_job;
        terminate();
        if (job && events.failed) events.failed(job, reason);
    }

    void terminate() {
        close_pipes();
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            reap();
        }
        idle();
    }
};

WorkerClient::WorkerClient(asio::io_context& io, std::vector<std::string> command, Events events)
    : impl_(std::make_shared<Impl>(io, std::move(command), std::move(events))) {}

WorkerClient::~WorkerClient() {
    impl_->events = {};
    impl_->terminate();
}

bool WorkerClient::ensure_started(std::string* error) {
    return impl_->spawn(error);
}

uint64_t WorkerClient::submit(const std::string& text, const AnalysisOptions& options,
                              std::chrono::milliseconds deadline) {
    Impl& w = *impl_;
    uint64_t job = w.next_job++;
    if (w.cancelled_job != 0) {
        // The previous job has not stopped yet; the worker would finish it before reading this one.
        log_info("probe worker still busy with a cancelled job; restarting it");
        w.terminate();
        w.cancelled_job = 0;
    }
    std::string error;
    if (!w.spawn(&error)) {
        // Report asynchronously so that callers see the same order of events as for a running worker.
        std::weak_ptr<Impl> weak = impl_;
        asio::post(w.io, [weak, job, error] {
            auto self = weak.lock();
            if (self && self->events.failed) self->events.failed(job, "cannot start the worker: " + error);
        });
        return job;
    }
    w.current_job = job;
    w.job_deadline = deadline;
    w.grace.cancel();
    w.write(dump_json({{"id", job}, {"text", text}, {"options", encode_options(options)}}) + "\n");
    w.arm_deadline();
    return job;
}

void WorkerClient::cancel(uint64_t job, std::chrono::milliseconds grace) {
    Impl& w = *impl_;
    if (job != w.current_job || w.pid <= 0) return;
    w.current_job = 0; // whatever it still says about this job is ignored
    w.deadline.cancel();
    w.write(dump_json({{"cancel", job}}) + "\n");
    // A probe stuck inside one long torch call cannot poll the flag: after the grace period it is killed, and
    // the next job starts a fresh worker.
    std::weak_ptr<Impl> weak = impl_;
    uint64_t gen = w.generation;
    w.grace.expires_after(grace);
    w.grace.async_wait([weak, gen, job](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || gen != self->generation || self->cancelled_job != job || self->current_job != 0)
            return;
        log_info("probe worker did not stop job " + std::to_string(job) + " in time; killing it");
        self->terminate();
        self->cancelled_job = 0;
    });
    w.cancelled_job = job;
}

bool WorkerClient::busy() const {
    return impl_->current_job != 0;
}
int WorkerClient::pid() const {
    return impl_->pid;
}
int WorkerClient::spawn_count() const {
    return impl_->spawns;
}

} // namespace faultline::server
