#include "faultline/server/reply.h"

namespace faultline::server {

Reply::Reply(Reply&& other) noexcept
    : id_(std::move(other.id_)), send_(std::move(other.send_)), done_(other.done_) {
    other.done_ = true; // the moved-from shell must not answer
}

Reply& Reply::operator=(Reply&& other) noexcept {
    if (this != &other) {
        if (!done_ && send_)
            send_(make_error(id_, error_code::InternalError, "request dropped without reply"));
        id_ = std::move(other.id_);
        send_ = std::move(other.send_);
        done_ = other.done_;
        other.done_ = true;
    }
    return *this;
}

Reply::~Reply() {
    if (!done_ && send_) send_(make_error(id_, error_code::InternalError, "request dropped without reply"));
}

void Reply::result(json value) {
    if (done_) return;
    done_ = true;
    send_(make_response(id_, std::move(value)));
}

void Reply::error(int code, const std::string& message) {
    if (done_) return;
    done_ = true;
    send_(make_error(id_, code, message));
}

} // namespace faultline::server
