// Incremental text synchronization in UTF-16 and UTF-8, and edits a confused client might send.
#include "harness.h"

#include <catch2/catch.hpp>

using namespace faultline::server;
using namespace faultline::server::test;

namespace {
void change(Harness& h, const std::string& uri, int64_t version, json changes) {
    h.notify("textDocument/didChange", {{"textDocument", {{"uri", uri}, {"version", version}}},
                                        {"contentChanges", std::move(changes)}});
}
const std::string& text_of(Harness& h, const std::string& uri) {
    return h.session.document(uri)->text();
}
} // namespace

TEST_CASE("incremental changes are applied in order, in UTF-16 code units by default") {
    Harness h;
    h.initialize();
    const std::string uri = "file:///t.py";
    // "é" is 2 bytes / 1 UTF-16 unit; "🔥" is 4 bytes / 2 units: `x` sits at UTF-16 column 11.
    h.open(uri, "s = \"é🔥\"; x = 1\nlr = 0.1\n");
    change(h, uri, 2,
           {{{"range", range(0, 11, 0, 12)}, {"text", "y"}},
            {{"range", range(1, 5, 1, 8)}, {"text", "0.001"}},
            {{"range", range(2, 0, 2, 0)}, {"text", "epochs = 3\n"}}});
    CHECK(text_of(h, uri) == "s = \"é🔥\"; y = 1\nlr = 0.001\nepochs = 3\n");
    CHECK(h.session.document(uri)->version == 2);

    SECTION("a full replacement resets the text") {
        change(h, uri, 3, {{{"text", "z = 2\n"}}});
        CHECK(text_of(h, uri) == "z = 2\n");
    }
}

TEST_CASE("positions count UTF-8 bytes when negotiated") {
    Harness h;
    h.initialize({{"probe", {{"enabled", false}}}}, {{"general", {{"positionEncodings", {"utf-8"}}}}});
    const std::string uri = "file:///u.py";
    h.open(uri, "s = \"é🔥\"; x = 1\n");
    change(h, uri, 2, {{{"range", range(0, 14, 0, 15)}, {"text", "w"}}});
    CHECK(text_of(h, uri) == "s = \"é🔥\"; w = 1\n");
}

TEST_CASE("edits out of range clamp; malformed changes leave the document as it was") {
    Harness h;
    h.initialize();
    const std::string uri = "file:///r.py";
    h.open(uri, "a = 1\nb = 2\n");
    change(h, uri, 2, {{{"range", range(0, 100, 0, 200)}, {"text", "!"}}});
    CHECK(text_of(h, uri) == "a = 1!\nb = 2\n");
    change(h, uri, 3, {{{"range", range(50, 0, 60, 0)}, {"text", "c = 3\n"}}});
    CHECK(text_of(h, uri) == "a = 1!\nb = 2\nc = 3\n");
    // Reversed ranges name the same text.
    change(h, uri, 4, {{{"range", range(0, 5, 0, 4)}, {"text", "7"}}});
    CHECK(text_of(h, uri) == "a = 7!\nb = 2\nc = 3\n");

    std::string before = text_of(h, uri);
    change(h, uri, 5, {{{"range", range(0, 0, 0, 1)}, {"text", "X"}}, {{"range", "bad"}, {"text", "Y"}}});
    change(h, uri, 6, {{{"range", {{"start", pos(-1, 0)}, {"end", pos(0, 0)}}}, {"text", "Y"}}});
    change(h, uri, 7, {{{"text", 42}}});
    change(h, uri, 8, "not an array");
    CHECK(text_of(h, uri) == before);

    // Unknown documents and missing fields are ignored without a reply.
    std::size_t sent = h.transport.sent.size();
    change(h, "file:///nope.py", 2, {{{"text", "x"}}});
    h.notify("textDocument/didChange", json::object());
    h.notify("textDocument/didOpen", {{"textDocument", {{"uri", 5}}}});
    CHECK(h.transport.sent.size() == sent);
}

TEST_CASE("didClose forgets the document and clears its diagnostics") {
    Harness h;
    h.initialize();
    h.open("file:///c.py", "x = 1\n");
    h.notify("textDocument/didClose", {{"textDocument", {{"uri", "file:///c.py"}}}});
    CHECK(h.session.document("file:///c.py") == nullptr);
    json cleared = h.wait_diagnostics("file:///c.py");
    REQUIRE(cleared.is_object());
    CHECK(cleared["params"]["diagnostics"].empty());
}
