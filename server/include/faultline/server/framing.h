// Content-Length framing (LSP's base protocol), as a pure byte-in, message-out state machine so that the
// I/O loop stays trivial and the framing can be fuzzed without sockets.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace faultline::server {

class FrameReader {
public:
    // Bodies larger than this are skipped (read and dropped) rather than buffered.
    explicit FrameReader(std::size_t max_body = 256u << 20) : max_body_(max_body) {}

    // Feeds raw bytes; calls `on_message` for each complete body and `on_error` once each time the stream
    // loses its framing (a header block that cannot be read, a Content-Length longer than its body). It then
    // resynchronizes on the next `Content-Length: N` line, so the frames after a bad one are served.
    void feed(std::string_view bytes, const std::function<void(std::string&&)>& on_message,
              const std::function<void(const std::string&)>& on_error);

    // Bytes of an unfinished message (headers or body) are still buffered.
    bool mid_message() const { return !buffer_.empty() || state_ != State::Headers; }

private:
    enum class State { Headers, Body, Skip };
    bool parse_headers(std::string_view block, std::string* error);
    void lose_sync(const std::string& why, const std::function<void(const std::string&)>& on_error);

    std::size_t max_body_;
    State state_ = State::Headers;
    std::string buffer_;
    std::size_t body_length_ = 0;
    bool resyncing_ = false; // dropping bytes until the next Content-Length line
};

// Where the next `Content-Length: <digits>` header line (any case, ending in a line break) starts in `s`,
// at or after `from`; npos when there is none.
std::size_t find_header_start(std::string_view s, std::size_t from);

std::string frame_message(std::string_view body);

} // namespace faultline::server
