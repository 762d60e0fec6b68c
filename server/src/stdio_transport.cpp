#include "stdio_transport.h"

#include "faultline/server/framing.h"
#include "faultline/server/log.h"

#include <boost/asio/write.hpp>

#include <cerrno>
#include <unistd.h>

namespace faultline::server {

StdioTransport::StdioTransport(boost::asio::io_context& io, int fd) : fd_(fd) {
    try {
        stream_ = std::make_unique<boost::asio::posix::stream_descriptor>(io, fd);
    } catch (const boost::system::system_error&) {
        stream_.reset();
    }
}

void StdioTransport::send(const json& message) {
    std::string framed = frame_message(dump_json(message));
    log_debug("<-- " + framed.substr(framed.find("\r\n\r\n") + 4, 2000));
    // Blocking on purpose: replies keep their order and nothing is left unsent when the session exits.
    if (stream_) {
        boost::system::error_code ec;
        boost::asio::write(*stream_, boost::asio::buffer(framed), ec);
        if (ec) log_error("writing to the client failed: " + ec.message());
        return;
    }
    std::size_t done = 0;
    while (done < framed.size()) {
        ssize_t n = ::write(fd_, framed.data() + done, framed.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            log_error("writing to the client failed");
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

} // namespace faultline::server
