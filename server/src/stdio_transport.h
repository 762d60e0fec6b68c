// The real transport: framed messages on the protocol's own copy of stdout.
#pragma once

#include "faultline/server/transport.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>

namespace faultline::server {

class StdioTransport : public Transport {
public:
    StdioTransport(boost::asio::io_context& io, int fd);
    void send(const json& message) override;

private:
    int fd_;
    // Null when the fd cannot be polled (a regular file in tests): plain write(2) then.
    std::unique_ptr<boost::asio::posix::stream_descriptor> stream_;
};

} // namespace faultline::server
