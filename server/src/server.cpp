// `faultline lsp`: the stdio loop around a Session.
#include "faultline/server/server.h"

#include "faultline/server/framing.h"
#include "faultline/server/log.h"
#include "faultline/server/session.h"
#include "stdio_transport.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <unistd.h>

namespace faultline {

namespace {

namespace asio = boost::asio;
using server::FrameReader;
using server::Session;

// Reads stdin and hands framed bodies to the session, on the io thread. Uses asio on pipes and sockets; a
// regular file (a transcript redirected with `<`) cannot be polled, so a thread reads it instead.
class StdinReader {
public:
    StdinReader(asio::io_context& io, Session& session) : io_(io), session_(session) {}

    ~StdinReader() {
        if (thread_.joinable()) thread_.detach(); // blocked in read(2); the process is about to end
    }

    void start() {
        try {
            stream_ = std::make_unique<asio::posix::stream_descriptor>(io_, ::dup(STDIN_FILENO));
            read_async();
        } catch (const boost::system::system_error&) {
            stream_.reset();
            thread_ = std::thread([this] { read_blocking(); });
        }
    }

private:
    void consume(std::string_view bytes) {
        reader_.feed(
            bytes,
            [this](std::string&& body) {
                if (!session_.exit_code()) session_.handle_raw(body);
            },
            [](const std::string& error) { server::log_warn("framing: " + error); });
    }

    void read_async() {
        stream_->async_read_some(asio::buffer(buffer_),
                                 [this](const boost::system::error_code& ec, std::size_t n) {
                                     if (session_.exit_code()) return;
                                     if (ec) return session_.end_of_input();
                                     consume(std::string_view(buffer_.data(), n));
                                     if (!session_.exit_code()) read_async();
                                 });
    }

    void read_blocking() {
        std::array<char, 65536> local{};
        for (;;) {
            ssize_t n = ::read(STDIN_FILENO, local.data(), local.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            std::string chunk(local.data(), static_cast<std::size_t>(n));
            asio::post(io_, [this, chunk = std::move(chunk)] {
                if (!session_.exit_code()) consume(chunk);
            });
        }
        asio::post(io_, [this] {
            if (!session_.exit_code()) session_.end_of_input();
        });
    }

    asio::io_context& io_;
    Session& session_;
    FrameReader reader_;
    std::array<char, 65536> buffer_{};
    std::unique_ptr<asio::posix::stream_descriptor> stream_;
    std::thread thread_;
};

// The worker is this same binary; argv[0] may be a bare name found through PATH, which execv does not search.
std::string worker_binary(const std::string& self_path) {
    if (self_path.find('/') != std::string::npos) return self_path;
    std::array<char, 4096> buf{};
    ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    return n > 0 ? std::string(buf.data(), static_cast<std::size_t>(n)) : self_path;
}

} // namespace

int run_language_server(const ServerOptions& options) {
    std::signal(SIGPIPE, SIG_IGN); // a dead worker or client is an error value, not a signal
    server::set_log_file(options.log_file);
    // The protocol gets its own copy of stdout; fd 1 then points at stderr, so that anything a library prints
    // lands in the log instead of corrupting the stream.
    int protocol_fd = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);

    asio::io_context io;
    server::StdioTransport transport(io, protocol_fd);
    server::SessionOptions session_options;
    session_options.client_process_id = options.client_process_id;
    if (!options.self_path.empty())
        session_options.worker_command = {worker_binary(options.self_path), "worker"};
    int code = 1;
    {
        Session session(io, transport, session_options);
        session.on_exit([&](int c) {
            code = c;
            io.stop();
        });
        StdinReader reader(io, session);
        reader.start();
        server::log_info("faultline language server ready");
        io.run();
        // Every reply is already written (the transport writes synchronously). A parse of a huge document
        // cannot be interrupted and may take seconds; a client waiting for the process to end should not
        // wait for it, so after a short grace the process ends without running destructors. Otherwise the
        // session's destructor joins the analysis pool.
        server::log_info("session ended");
        if (!session.wait_for_analyses(std::chrono::milliseconds(200))) {
            server::log_info("exiting with code " + std::to_string(code) +
                             " without waiting for the static analysis still running");
            std::_Exit(code);
        }
    }
    server::log_info("exiting with code " + std::to_string(code));
    return code;
}

} // namespace faultline
