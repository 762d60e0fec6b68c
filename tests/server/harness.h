// An in-memory client for the Session: messages in as JSON, replies collected, the io_context driven until
// an expected message arrives.
#pragma once

#include "faultline/server/session.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace faultline::server::test {

struct RecordingTransport : Transport {
    std::vector<json> sent;
    void send(const json& message) override { sent.push_back(message); }
};

inline std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(FAULTLINE_FIXTURES) + "/server/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Harness {
    boost::asio::io_context io;
    RecordingTransport transport;
    Session session;
    int64_t next_id = 1;
    std::optional<int> exited;

    explicit Harness(SessionOptions options = {}) : session(io, transport, std::move(options)) {
        session.on_exit([this](int code) { exited = code; });
    }

    int64_t request(const std::string& method, json params) {
        int64_t id = next_id++;
        session.handle({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
        return id;
    }
    void notify(const std::string& method, json params) {
        session.handle({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
    }

    // The reply to request `id`, running the io_context until it arrives (or the timeout passes).
    json reply(int64_t id, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        json out;
        wait_for(
            [&](const json& m) {
                if (m.contains("id") && m["id"] == id && !m.contains("method")) {
                    out = m;
                    return true;
                }
                return false;
            },
            timeout);
        return out;
    }

    // Waits for a message matching `pred` among those not yet inspected; returns it (null on timeout).
    json wait_for(const std::function<bool(const json&)>& pred,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (; seen < transport.sent.size(); ++seen)
                if (pred(transport.sent[seen])) return transport.sent[seen++];
            if (std::chrono::steady_clock::now() > deadline) return nullptr;
            io.restart();
            io.run_for(std::chrono::milliseconds(10));
        }
    }

    json wait_diagnostics(const std::string& uri,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        return wait_for(
            [&](const json& m) {
                return m.value("method", "") == "textDocument/publishDiagnostics" &&
                       m["params"]["uri"] == uri;
            },
            timeout);
    }

    void initialize(json init_options = {{"probe", {{"enabled", false}}}},
                    json capabilities = json::object()) {
        int64_t id = request("initialize", {{"processId", nullptr},
                                            {"capabilities", std::move(capabilities)},
                                            {"initializationOptions", std::move(init_options)}});
        reply(id);
        notify("initialized", json::object());
    }

    void open(const std::string& uri, const std::string& text, int64_t version = 1) {
        notify("textDocument/didOpen",
               {{"textDocument",
                 {{"uri", uri}, {"languageId", "python"}, {"version", version}, {"text", text}}}});
    }

    std::size_t seen = 0;
};

inline json pos(int line, int character) {
    return {{"line", line}, {"character", character}};
}
inline json range(int l1, int c1, int l2, int c2) {
    return {{"start", pos(l1, c1)}, {"end", pos(l2, c2)}};
}

} // namespace faultline::server::test
