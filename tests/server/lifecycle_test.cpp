// The LSP 3.17 lifecycle and JSON-RPC error handling, through an in-memory transport.
#include "harness.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

using namespace faultline::server;
using namespace faultline::server::test;

TEST_CASE("requests before initialize get ServerNotInitialized; notifications are dropped") {
    Harness h;
    int64_t id = h.request("textDocument/hover",
                           {{"textDocument", {{"uri", "file:///a.py"}}}, {"position", pos(0, 0)}});
    json r = h.reply(id);
    REQUIRE(r["error"]["code"] == -32002);
    h.open("file:///a.py", "x = 1\n");
    CHECK(h.session.document("file:///a.py") == nullptr);
}

TEST_CASE("initialize announces the capabilities and negotiates the position encoding") {
    SECTION("utf-16 by default") {
        Harness h;
        json r = h.reply(h.request("initialize", {{"capabilities", json::object()}}));
        const json& caps = r["result"]["capabilities"];
        CHECK(caps["positionEncoding"] == "utf-16");
        CHECK(caps["textDocumentSync"]["change"] == 2);
        CHECK(caps["hoverProvider"] == true);
        CHECK(caps["codeActionProvider"]["codeActionKinds"][0] == "quickfix");
        CHECK(caps["executeCommandProvider"]["commands"].size() == 2);
        CHECK(caps["diagnosticProvider"]["identifier"] == "faultline");
        CHECK(r["result"]["serverInfo"]["name"] == "faultline");
    }
    SECTION("utf-8 when the client offers it") {
        Harness h;
        json caps = {{"general", {{"positionEncodings", {"utf-16", "utf-8"}}}}};
        json r = h.reply(h.request("initialize", {{"capabilities", caps}}));
        CHECK(r["result"]["capabilities"]["positionEncoding"] == "utf-8");
        CHECK(h.session.encoding() == faultline::PositionEncoding::Utf8);
    }
    SECTION("a second initialize is an invalid request") {
        Harness h;
        h.initialize();
        CHECK(h.reply(h.request("initialize", {{"capabilities", json::object()}}))["error"]["code"] ==
              -32600);
    }
}

TEST_CASE("shutdown then exit ends with 0; exit alone with 1") {
    SECTION("shutdown + exit") {
        Harness h;
        h.initialize();
        json r = h.reply(h.request("shutdown", nullptr));
        CHECK(r.contains("result"));
        CHECK(r["result"].is_null());
        json after = h.reply(h.request("textDocument/hover", json::object()));
        CHECK(after["error"]["code"] == -32600);
        h.notify("exit", nullptr);
        REQUIRE(h.exited);
        CHECK(*h.exited == 0);
    }
    SECTION("exit without shutdown") {
        Harness h;
        h.initialize();
        h.notify("exit", nullptr);
        REQUIRE(h.exited);
        CHECK(*h.exited == 1);
    }
    SECTION("end of input without shutdown") {
        Harness h;
        h.initialize();
        h.session.end_of_input();
        REQUIRE(h.exited);
        CHECK(*h.exited == 1);
    }
}

TEST_CASE("protocol errors are answered and the session keeps serving") {
    Harness h;
    h.initialize();
    std::size_t before = h.transport.sent.size();

    h.notify("workspace/somethingNew", json::object());
    h.notify("$/somethingOptional", json::object());
    CHECK(h.transport.sent.size() == before); // unknown notifications: ignored, no reply

    CHECK(h.reply(h.request("textDocument/unknownThing", json::object()))["error"]["code"] == -32601);
    // A notification-only method called as a request is not a request method.
    CHECK(h.reply(h.request("textDocument/didOpen", json::object()))["error"]["code"] == -32601);

    h.session.handle_raw("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": ");
    json parse_error = h.transport.sent.back();
    CHECK(parse_error["error"]["code"] == -32700);
    CHECK(parse_error["id"].is_null());

    h.session.handle_raw("[1, 2]");
    CHECK(h.transport.sent.back()["error"]["code"] == -32600);
    h.session.handle_raw(R"({"jsonrpc":"2.0","id":{"x":1},"method":"shutdown"})");
    CHECK(h.transport.sent.back()["error"]["code"] == -32600);
    h.session.handle_raw(R"({"jsonrpc":"2.0","id":7,"method":42})");
    CHECK(h.transport.sent.back()["error"]["code"] == -32600);
    CHECK(h.transport.sent.back()["id"] == 7);

    // String ids are echoed back as strings.
    h.session.handle_raw(R"({"jsonrpc":"2.0","id":"abc","method":"nope/nope"})");
    CHECK(h.transport.sent.back()["id"] == "abc");

    // Still serving.
    h.open("file:///ok.py", "x = 1\n");
    CHECK(h.session.document("file:///ok.py") != nullptr);
    json hover = h.reply(h.request("textDocument/hover",
                                   {{"textDocument", {{"uri", "file:///ok.py"}}}, {"position", pos(0, 0)}}));
    CHECK(hover.contains("result"));
}

TEST_CASE("a cancel for a request that was already answered sends nothing") {
    Harness h;
    h.initialize();
    std::size_t before = h.transport.sent.size();
    h.notify("$/cancelRequest", {{"id", 12345}});
    h.notify("$/cancelRequest", {{"id", "nope"}});
    h.notify("$/cancelRequest", json::object());
    CHECK(h.transport.sent.size() == before);
}

TEST_CASE("requests on unknown documents get InvalidParams") {
    Harness h;
    h.initialize();
    json td = {{"uri", "file:///missing.py"}};
    CHECK(h.reply(h.request("textDocument/hover",
                            {{"textDocument", td}, {"position", pos(0, 0)}}))["error"]["code"] == -32602);
    CHECK(h.reply(h.request("textDocument/codeAction",
                            {{"textDocument", td}, {"range", range(0, 0, 0, 0)}}))["error"]["code"] ==
          -32602);
    CHECK(h.reply(h.request("textDocument/diagnostic", {{"textDocument", td}}))["error"]["code"] == -32602);
    CHECK(h.reply(h.request("workspace/executeCommand",
                            {{"command", "faultline.runProbe"},
                             {"arguments", {"file:///missing.py"}}}))["error"]["code"] == -32602);
}

TEST_CASE("the session exits when the client process named by --clientProcessId is gone") {
    pid_t child = ::fork();
    if (child == 0) _exit(0);
    REQUIRE(child > 0);
    int status = 0;
    ::waitpid(child, &status, 0); // reaped: the pid no longer exists
    SessionOptions options;
    options.client_process_id = child;
    Harness h(options);
    h.initialize();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!h.exited && std::chrono::steady_clock::now() < deadline) {
        h.io.restart();
        h.io.run_for(std::chrono::milliseconds(50));
    }
    REQUIRE(h.exited);
    CHECK(*h.exited == 1);
}

TEST_CASE("a live client process keeps the session running") {
    SessionOptions options;
    options.client_process_id = static_cast<int>(::getpid());
    Harness h(options);
    h.initialize();
    h.io.restart();
    h.io.run_for(std::chrono::milliseconds(1300));
    CHECK(!h.exited);
}
