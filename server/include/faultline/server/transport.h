// Where the session's outgoing messages go: stdout (framed) in the server, a vector in tests.
#pragma once

#include "faultline/server/protocol.h"

namespace faultline::server {

class Transport {
public:
    virtual ~Transport() = default;
    virtual void send(const json& message) = 0;
};

} // namespace faultline::server
