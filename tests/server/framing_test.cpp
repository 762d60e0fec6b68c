// Content-Length framing, and a bounded fuzz of framing + JSON + params against the whole session.
#include "faultline/server/framing.h"
#include "harness.h"

#include <catch2/catch.hpp>

#include <random>

using namespace faultline::server;
using namespace faultline::server::test;

namespace {
struct Collector {
    std::vector<std::string> messages;
    std::vector<std::string> errors;
    void feed(FrameReader& r, std::string_view bytes) {
        r.feed(
            bytes, [&](std::string&& m) { messages.push_back(std::move(m)); },
            [&](const std::string& e) { errors.push_back(e); });
    }
};
} // namespace

TEST_CASE("framing reads messages split anywhere and several per chunk") {
    std::string stream = frame_message("{\"a\":1}") + frame_message("{\"b\":2}") + frame_message("");
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        FrameReader r;
        Collector c;
        c.feed(r, std::string_view(stream).substr(0, split));
        c.feed(r, std::string_view(stream).substr(split));
        REQUIRE(c.messages == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", ""});
        CHECK(c.errors.empty());
        CHECK(!r.mid_message());
    }
}

TEST_CASE("framing accepts header case, extra headers and bare LF; rejects bad lengths and resynchronizes") {
    FrameReader r;
    Collector c;
    c.feed(r, "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
    c.feed(r, "Content-Length: 2\n\n[]");
    CHECK(c.messages == std::vector<std::string>{"{}", "[]"});
    c.feed(r, "Content-Length: abc\r\n\r\n");
    c.feed(r, "Content-Length: 99999999999999999999\r\n\r\n");
    c.feed(r, "garbage without colon\r\n\r\n");
    c.feed(r, "X-Other: 1\r\n\r\n");
    CHECK(c.errors.size() >= 1);
    c.feed(r, frame_message("{\"ok\":true}"));
    CHECK(c.messages.back() == "{\"ok\":true}");
}

namespace {

// A request framed with a Content-Length that does not fit its body: `header` replaces the correct header
// line (`{}` stands for the correct length).
std::string misframed(const std::string& body, const std::string& header) {
    std::string line = header;
    if (auto at = line.find("{}"); at != std::string::npos) line.replace(at, 2, std::to_string(body.size()));
    return line + "\r\n\r\n" + body;
}

std::string request_body(const std::string& id, const std::string& method, json params = json::object()) {
    return dump_json({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
}

} // namespace

TEST_CASE("after a misframed message the next requests are answered and shutdown and exit are honoured") {
    // A client that counts characters, not bytes, in a non-ASCII text, and the other ways to get it wrong.
    const std::vector<std::pair<std::string, std::string>> variants = {
        {"too long", "Content-Length: 999"},
        {"too short", "Content-Length: 10"},
        {"negative", "Content-Length: -5"},
        {"not a number", "Content-Length: twelve"},
        {"missing", "Content-Type: text/json"},
        {"empty", "Content-Length: "},
        {"overflowing", "Content-Length: 99999999999999999999999"},
    };
    for (const auto& [name, header] : variants) {
        DYNAMIC_SECTION(name) {
            Harness h;
            h.initialize();
            FrameReader reader;
            std::vector<std::string> errors;
            auto deliver = [&](std::string_view bytes) {
                reader.feed(
                    bytes, [&](std::string&& body) { h.session.handle_raw(body); },
                    [&](const std::string& e) { errors.push_back(e); });
                h.io.restart();
                h.io.poll();
            };
            auto answered = [&](const std::string& id) {
                for (const json& m : h.transport.sent)
                    if (m.value("id", json()) == id && m.contains("result")) return true;
                return false;
            };
            std::string bad = misframed(dump_json({{"jsonrpc", "2.0"},
                                                   {"method", "textDocument/didOpen"},
                                                   {"params",
                                                    {{"textDocument",
                                                      {{"uri", "file:///é.py"},
                                                       {"languageId", "python"},
                                                       {"version", 1},
                                                       {"text", "x = 'é🔥'\n"}}}}}}),
                                        header);
            // The bad frame and the good ones after it arrive together, as a client writes them.
            deliver(bad + frame_message(request_body("after", "workspace/executeCommand",
                                                     {{"command", "faultline.showTrace"}})));
            CHECK(answered("after"));
            CHECK(errors.size() == 1); // the loss is reported once
            deliver(frame_message(request_body("again", "shutdown")));
            CHECK(answered("again"));
            deliver(frame_message(dump_json({{"jsonrpc", "2.0"}, {"method", "exit"}})));
            CHECK(h.exited == std::optional<int>(0));
        }
    }
}

TEST_CASE("a header line inside a body ends a body whose Content-Length was too long") {
    FrameReader r;
    Collector c;
    std::string stream = "Content-Length: 50\r\n\r\n{\"a\":1}" + frame_message("{\"b\":2}");
    // Split everywhere: the header may straddle two chunks.
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        FrameReader each;
        Collector got;
        got.feed(each, std::string_view(stream).substr(0, split));
        got.feed(each, std::string_view(stream).substr(split));
        REQUIRE(got.messages == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
        CHECK(got.errors.size() == 1);
    }
    // A JSON string cannot hold a raw line break, so text that merely mentions the header is body.
    std::string mention = "{\"t\":\"Content-Length: 5\\r\\n\"}";
    c.feed(r, frame_message(mention));
    CHECK(c.messages == std::vector<std::string>{mention});
    CHECK(c.errors.empty());
}

TEST_CASE("a huge Content-Length is skipped without buffering it") {
    FrameReader r(/*max_body=*/1024);
    Collector c;
    c.feed(r, "Content-Length: 5000\r\n\r\n");
    CHECK(c.errors.size() == 1);
    c.feed(r, std::string(5000, 'x'));
    c.feed(r, frame_message("{}"));
    CHECK(c.messages == std::vector<std::string>{"{}"});
}

TEST_CASE("an endless header block is dropped") {
    FrameReader r;
    Collector c;
    c.feed(r, std::string(70 * 1024, 'h'));
    CHECK(c.errors.size() == 1);
    c.feed(r, "\r\n\r\n" + frame_message("{}"));
    CHECK(c.messages.back() == "{}");
}

namespace {

// Mutations of a valid message: truncated, bytes flipped, invalid UTF-8, params of the wrong type.
std::string mutate(std::mt19937& rng, std::string s) {
    std::uniform_int_distribution<int> kind(0, 5);
    std::uniform_int_distribution<std::size_t> at(0, s.empty() ? 0 : s.size() - 1);
    switch (kind(rng)) {
    case 0:
        return s.substr(0, at(rng));
    case 1:
        s[at(rng)] = static_cast<char>(rng() & 0xFF);
        return s;
    case 2:
        s.insert(at(rng), "\xC3\x28\xFF");
        return s;
    case 3:
        s.erase(at(rng), 3);
        return s;
    case 4:
        return s + s;
    default:
        return s;
    }
}

json random_value(std::mt19937& rng) {
    switch (rng() % 7) {
    case 0:
        return nullptr;
    case 1:
        return static_cast<int64_t>(rng()) - (1ll << 31);
    case 2:
        return "str";
    case 3:
        return json::array({1, "x"});
    case 4:
        return {{"line", -1}, {"character", "x"}};
    case 5:
        return 1e300;
    default:
        return json::object();
    }
}

} // namespace

TEST_CASE("bounded fuzz: random framing, JSON and params never crash the session, which keeps serving") {
    Harness h;
    h.initialize();
    h.open("file:///f.py", "from keras.models import Sequential\nmodel = Sequential()\n");
    FrameReader reader;
    std::mt19937 rng(20260101);
    const std::vector<std::string> methods = {
        "textDocument/hover",    "textDocument/codeAction",          "textDocument/didChange",
        "textDocument/didOpen",  "textDocument/diagnostic",          "workspace/executeCommand",
        "codeAction/resolve",    "workspace/didChangeConfiguration", "$/cancelRequest",
        "textDocument/didClose", "window/workDoneProgress/cancel",   "initialize"};
    auto deliver = [&](std::string_view bytes) {
        reader.feed(
            bytes, [&](std::string&& body) { h.session.handle_raw(body); }, [](const std::string&) {});
    };
    int requests = 0;
    for (int i = 0; i < 3000; ++i) {
        json params = {
            {"textDocument", {{"uri", rng() % 2 ? "file:///f.py" : "file:///other.py"}, {"version", i + 2}}},
            {"position", {{"line", rng() % 5}, {"character", rng() % 80}}},
            {"range", range(rng() % 4, rng() % 50, rng() % 4, rng() % 50)},
            {"contentChanges",
             {{{"range", range(rng() % 4, rng() % 40, rng() % 4, rng() % 40)},
               {"text", std::string(rng() % 3, 'z')}}}},
            {"command", "faultline.showTrace"}};
        // Replace one field with a value of the wrong type most of the time.
        if (rng() % 4 != 0) {
            static const char* keys[] = {"textDocument", "position", "range", "contentChanges", "command"};
            params[keys[rng() % 5]] = random_value(rng);
        }
        json message = {{"jsonrpc", "2.0"}, {"method", methods[rng() % methods.size()]}, {"params", params}};
        if (rng() % 2) {
            message["id"] = 100000 + i;
            ++requests;
        }
        std::string body = dump_json(message);
        if (rng() % 3 == 0) body = mutate(rng, body);
        std::string framed = frame_message(body);
        if (rng() % 10 == 0) framed = mutate(rng, framed);
        // Deliver in random-sized pieces.
        std::size_t p = 0;
        while (p < framed.size()) {
            std::size_t n = 1 + rng() % 64;
            deliver(std::string_view(framed).substr(p, n));
            p += n;
        }
        h.io.restart();
        h.io.poll();
    }
    // Resynchronize on a clean header (a truncated header may still be pending) and check it still answers.
    deliver("\r\n\r\n");
    h.io.restart();
    h.io.poll();
    std::size_t before = h.transport.sent.size();
    deliver(frame_message(dump_json({{"jsonrpc", "2.0"}, {"id", "final"}, {"method", "shutdown"}})));
    bool answered = false;
    for (std::size_t i = before; i < h.transport.sent.size(); ++i)
        if (h.transport.sent[i].value("id", json()) == "final") answered = true;
    CHECK(answered);
    CHECK(requests > 1000);
    CHECK(!h.exited);
}

TEST_CASE("a 10 MB document is opened, edited and answered") {
    Harness h;
    h.initialize();
    std::string text =
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential()\n";
    std::string line = "x_value_0123456789 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n";
    while (text.size() < 10u << 20)
        text += line;
    text += "model.add(Dense(1, activation='softmax', input_dim=4))\n"
            "model.compile(loss='binary_crossentropy', optimizer='adam')\n";
    h.open("file:///big.py", text);
    json published = h.wait_diagnostics("file:///big.py", std::chrono::seconds(60));
    REQUIRE(published.is_object());
    int last_line = static_cast<int>(h.session.document("file:///big.py")->text().size() / line.size());
    h.notify("textDocument/didChange", {{"textDocument", {{"uri", "file:///big.py"}, {"version", 2}}},
                                        {"contentChanges", {{{"range", range(5, 0, 5, 1)}, {"text", "y"}}}}});
    auto start = std::chrono::steady_clock::now();
    json hover = h.reply(h.request("textDocument/hover", {{"textDocument", {{"uri", "file:///big.py"}}},
                                                          {"position", pos(last_line, 10)}}),
                         std::chrono::seconds(60));
    CHECK(hover.contains("result"));
    // The hover first analyzes the edited text (a few seconds at this size, more on a loaded machine); the
    // bound only guards against a hang.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
    CHECK(h.session.document("file:///big.py")->published_version == 2);
}

TEST_CASE("deeply nested JSON in params neither overflows the stack nor stops the session") {
    Harness h;
    h.initialize();
    std::string deep = std::string(200000, '[') + std::string(200000, ']');
    h.session.handle_raw(
        R"({"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{"textDocument":)" + deep + "}}");
    CHECK(h.transport.sent.back()["error"]["code"] == -32602);
    h.session.handle_raw(
        R"({"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":)" + deep +
        "}}");
    json r = h.reply(h.request("textDocument/diagnostic", {{"textDocument", {{"uri", "file:///none.py"}}}}));
    CHECK(r["error"]["code"] == -32602);
}
