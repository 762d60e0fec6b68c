// One reply per request, guaranteed: a Reply that goes out of scope unanswered answers with an internal error
// (the idea of clangd's ReplyOnce), and a second answer is ignored.
#pragma once

#include "faultline/server/protocol.h"

#include <functional>

namespace faultline::server {

class Reply {
public:
    Reply(json id, std::function<void(json)> send) : id_(std::move(id)), send_(std::move(send)) {}
    Reply(Reply&& other) noexcept;
    Reply& operator=(Reply&& other) noexcept;
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
    ~Reply();

    void result(json value);
    void error(int code, const std::string& message);
    // Drops the request without answering (only when the connection itself is going away).
    void abandon() { done_ = true; }
    bool done() const { return done_; }
    const json& id() const { return id_; }

private:
    json id_;
    std::function<void(json)> send_;
    bool done_ = false;
};

} // namespace faultline::server
