#include "faultline/server/framing.h"

#include <algorithm>
#include <cctype>

namespace faultline::server {
namespace {

// A header block that never ends is garbage, not a slow client: past this it is dropped.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
// The longest `Content-Length: N` line looked for across chunk boundaries.
constexpr std::size_t kMaxHeaderLine = 64;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// The end of the header block: the blank line. Clients are supposed to send CRLF; a bare LF is accepted too
// because hand-written test clients and some editors' debug modes send it.
std::size_t find_block_end(const std::string& buffer, std::size_t* separator_length) {
    std::size_t crlf = buffer.find("\r\n\r\n");
    std::size_t lf = buffer.find("\n\n");
    if (crlf != std::string::npos && (lf == std::string::npos || crlf <= lf)) {
        *separator_length = 4;
        return crlf;
    }
    *separator_length = 2;
    return lf;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

std::size_t find_header_start(std::string_view s, std::size_t from) {
    static constexpr std::string_view kName = "content-length";
    for (std::size_t i = from; i + kName.size() <= s.size(); ++i) {
        if (!iequals(s.substr(i, kName.size()), kName)) continue;
        std::size_t j = i + kName.size();
        auto skip_blanks = [&] {
            while (j < s.size() && (s[j] == ' ' || s[j] == '\t'))
                ++j;
        };
        skip_blanks();
        if (j >= s.size() || s[j] != ':') continue;
        ++j;
        skip_blanks();
        std::size_t digits = j;
        while (j < s.size() && is_digit(s[j]))
            ++j;
        if (j == digits) continue;
        skip_blanks();
        if (j < s.size() && s[j] == '\r') ++j;
        if (j < s.size() && s[j] == '\n') return i;
    }
    return std::string_view::npos;
}

bool FrameReader::parse_headers(std::string_view block, std::string* error) {
    bool have_length = false;
    while (!block.empty()) {
        std::size_t eol = block.find('\n');
        std::string_view line = trim(block.substr(0, eol));
        block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 1);
        if (line.empty()) continue;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            *error = "malformed header line (no ':')";
            return false;
        }
        std::string_view name = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (!iequals(name, "Content-Length"))
            continue; // Content-Type and unknown headers carry nothing we need
        if (value.empty() || value.size() > 12 ||
            !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            *error = "invalid Content-Length '" + std::string(value.substr(0, 40)) + "'";
            return false;
        }
        body_length_ = std::stoull(std::string(value));
        have_length = true;
    }
    if (!have_length) *error = "header block without Content-Length";
    return have_length;
}

void FrameReader::lose_sync(const std::string& why, const std::function<void(const std::string&)>& on_error) {
    if (!resyncing_) on_error(why + "; skipping to the next Content-Length header");
    resyncing_ = true;
}

void FrameReader::feed(std::string_view bytes, const std::function<void(std::string&&)>& on_message,
                       const std::function<void(const std::string&)>& on_error) {
    std::string carry; // bytes fed again in the new state (after a header block, or a cut-short body)
    for (;;) {
        if (state_ == State::Skip || state_ == State::Body) {
            // A length larger than the body (a client counting characters, not bytes) would swallow the
            // frames that follow. A header line cannot occur in a JSON body (raw line breaks are not allowed
            // in its strings, bare words not outside them), so one showing up means the body has ended.
            const std::size_t held = state_ == State::Body ? buffer_.size() : 0;
            const std::size_t overlap = std::min(held, kMaxHeaderLine); // a header split across two chunks
            const std::size_t due = std::min(body_length_ - held, bytes.size());
            std::string window = buffer_.substr(held - overlap);
            window.append(bytes.substr(0, due));
            if (std::size_t header = find_header_start(window, 0); header != std::string::npos) {
                if (!resyncing_)
                    on_error("Content-Length " + std::to_string(body_length_) +
                             " is longer than the message; resynchronized on the next header");
                std::string rest = window.substr(header);
                rest.append(bytes.substr(due));
                if (state_ == State::Body) {
                    const std::size_t body_end = held - overlap + header;
                    if (body_end < held)
                        buffer_.resize(body_end);
                    else
                        buffer_.append(bytes.substr(0, body_end - held));
                    std::string body = std::move(buffer_);
                    buffer_.clear();
                    on_message(std::move(body)); // most likely whole: only its length was wrong
                }
                state_ = State::Headers;
                carry = std::move(rest);
                bytes = carry;
                continue;
            }
        }
        if (state_ == State::Skip) {
            std::size_t n = std::min(body_length_, bytes.size());
            body_length_ -= n;
            bytes.remove_prefix(n);
            if (body_length_ > 0) return;
            state_ = State::Headers;
            continue;
        }
        if (state_ == State::Body) {
            std::size_t n = std::min(body_length_ - buffer_.size(), bytes.size());
            buffer_.append(bytes.substr(0, n));
            bytes.remove_prefix(n);
            if (buffer_.size() < body_length_) return;
            std::string body = std::move(buffer_);
            buffer_.clear();
            state_ = State::Headers;
            on_message(std::move(body));
            continue;
        }
        if (bytes.empty() && !resyncing_) return;
        buffer_.append(bytes);
        bytes = {};
        if (resyncing_) {
            // After a bad header block its body, or what is left of it, comes next: drop everything up to
            // the next Content-Length header.
            std::size_t start = find_header_start(buffer_, 0);
            if (start == std::string::npos) {
                if (buffer_.size() > kMaxHeaderLine) buffer_.erase(0, buffer_.size() - kMaxHeaderLine);
                return;
            }
            buffer_.erase(0, start);
            resyncing_ = false;
        }
        std::size_t separator = 0;
        std::size_t end = find_block_end(buffer_, &separator);
        if (end == std::string::npos) {
            if (buffer_.size() > kMaxHeaderBytes) {
                buffer_.clear();
                lose_sync("header block longer than 64 KiB; dropped", on_error);
            }
            return;
        }
        std::string error;
        bool ok = parse_headers(std::string_view(buffer_).substr(0, end), &error);
        if (!ok) {
            // Keep the bytes after the block's first one: the next frame's header may be in them already.
            buffer_.erase(0, 1);
            lose_sync(error, on_error);
            continue;
        }
        std::string rest = buffer_.substr(end + separator);
        buffer_.clear();
        if (body_length_ > max_body_) {
            on_error("message of " + std::to_string(body_length_) + " bytes exceeds the limit; skipped");
            state_ = State::Skip;
        } else {
            state_ = State::Body;
            buffer_.reserve(
                std::min<std::size_t>(body_length_, 1u << 20)); // a lying length must not allocate
        }
        carry = std::move(rest);
        bytes = carry;
    }
}

std::string frame_message(std::string_view body) {
    std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    out.append(body);
    return out;
}

} // namespace faultline::server
