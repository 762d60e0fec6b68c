// Diagnostics, hover and code actions on a real faulty script, through the real parser and static checks.
#include "faultline/engine/docs_link.h"
#include "harness.h"

#include <catch2/catch.hpp>

using namespace faultline::server;
using namespace faultline::server::test;

namespace {

const std::string kUri = "file:///work/softmax_single_unit.py";

// The line of `model.add(Dense(1, activation='softmax'))` in the fixture.
constexpr int kOutputLine = 9;

json find_code(const json& diagnostics, const std::string& code) {
    for (const json& d : diagnostics)
        if (d.value("code", "") == code) return d;
    return nullptr;
}

} // namespace

TEST_CASE("static findings are pushed with code, docs link, related information and data") {
    Harness h;
    h.initialize();
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json published = h.wait_diagnostics(kUri);
    REQUIRE(published.is_object());
    CHECK(published["params"]["version"] == 1);
    json d = find_code(published["params"]["diagnostics"], "FL111");
    REQUIRE(d.is_object());
    CHECK(d["source"] == "faultline");
    CHECK(d["range"]["start"]["line"] == kOutputLine);
    CHECK(d["severity"] == 1);
    // The docs link only when it resolves (docs_link.h): this test binary runs from no install prefix.
    if (const std::string link = faultline::rule_docs_url("FL111"); link.empty())
        CHECK_FALSE(d.contains("codeDescription"));
    else
        CHECK(d["codeDescription"]["href"] == link);
    CHECK(d["data"]["fault"] == "act");
    CHECK(d["data"]["confidence"].get<double>() > 0.0);
    REQUIRE(!d["data"]["fixes"].empty());
    CHECK(!d["data"]["fixes"][0]["edits"].empty());
}

TEST_CASE("pull diagnostics report full, then unchanged for the same result id") {
    Harness h;
    h.initialize({{"probe", {{"enabled", false}}}}, {{"textDocument", {{"diagnostic", json::object()}}}});
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json full = h.reply(h.request("textDocument/diagnostic", {{"textDocument", {{"uri", kUri}}}}));
    REQUIRE(full["result"]["kind"] == "full");
    CHECK(find_code(full["result"]["items"], "FL111").is_object());
    std::string id = full["result"]["resultId"];
    json again = h.reply(
        h.request("textDocument/diagnostic", {{"textDocument", {{"uri", kUri}}}, {"previousResultId", id}}));
    CHECK(again["result"]["kind"] == "unchanged");
    CHECK(again["result"]["resultId"] == id);
}

TEST_CASE("hover over a flagged statement explains it; elsewhere it is empty") {
    Harness h;
    h.initialize();
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json published = h.wait_diagnostics(kUri);
    json d = find_code(published["params"]["diagnostics"], "FL111");
    REQUIRE(d.is_object());
    json hover = h.reply(h.request("textDocument/hover",
                                   {{"textDocument", {{"uri", kUri}}}, {"position", d["range"]["start"]}}));
    REQUIRE(hover["result"].is_object());
    std::string md = hover["result"]["contents"]["value"];
    CHECK(hover["result"]["contents"]["kind"] == "markdown");
    CHECK(md.find("FL111") != std::string::npos);
    CHECK(md.find("confidence") != std::string::npos);
    CHECK(md.find("**Quick fix:**") != std::string::npos);
    json nothing = h.reply(
        h.request("textDocument/hover", {{"textDocument", {{"uri", kUri}}}, {"position", pos(2, 0)}}));
    CHECK(nothing["result"].is_null());
}

TEST_CASE("a quick fix edits the statement and the diagnostic goes away") {
    Harness h;
    h.initialize();
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json published = h.wait_diagnostics(kUri);
    json d = find_code(published["params"]["diagnostics"], "FL111");
    REQUIRE(d.is_object());
    json actions =
        h.reply(h.request("textDocument/codeAction", {{"textDocument", {{"uri", kUri}}},
                                                      {"range", d["range"]},
                                                      {"context", {{"diagnostics", {d}}}}}))["result"];
    REQUIRE(actions.is_array());
    REQUIRE(!actions.empty());
    json action = actions[0];
    CHECK(action["kind"] == "quickfix");
    json edits = action["edit"]["changes"][kUri];
    REQUIRE(!edits.empty());
    // Apply in reverse order so earlier ranges stay valid, as editors do.
    for (auto it = edits.rbegin(); it != edits.rend(); ++it)
        h.notify("textDocument/didChange",
                 {{"textDocument", {{"uri", kUri}, {"version", 2}}},
                  {"contentChanges", {{{"range", (*it)["range"]}, {"text", (*it)["newText"]}}}}});
    json after = h.wait_diagnostics(kUri);
    REQUIRE(after.is_object());
    CHECK(after["params"]["version"] == 2);
    CHECK(find_code(after["params"]["diagnostics"], "FL111").is_null());
}

TEST_CASE("codeAction/resolve fills the edit, and refuses once the document changed") {
    Harness h;
    json caps = {{"textDocument", {{"codeAction", {{"resolveSupport", {{"properties", {"edit"}}}}}}}}};
    h.initialize({{"probe", {{"enabled", false}}}}, caps);
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json d = find_code(h.wait_diagnostics(kUri)["params"]["diagnostics"], "FL111");
    REQUIRE(d.is_object());
    json actions = h.reply(h.request(
        "textDocument/codeAction",
        {{"textDocument", {{"uri", kUri}}}, {"range", d["range"]}, {"context", json::object()}}))["result"];
    REQUIRE(!actions.empty());
    CHECK(!actions[0].contains("edit"));
    json resolved = h.reply(h.request("codeAction/resolve", actions[0]));
    CHECK(!resolved["result"]["edit"]["changes"][kUri].empty());

    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", kUri}, {"version", 2}}},
              {"contentChanges", {{{"range", range(0, 0, 0, 0)}, {"text", "# edited\n"}}}}});
    json stale = h.reply(h.request("codeAction/resolve", actions[0]));
    CHECK(stale["error"]["code"] == -32801);
}

TEST_CASE("configuration switches checks off and on") {
    Harness h;
    h.initialize();
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    REQUIRE(find_code(h.wait_diagnostics(kUri)["params"]["diagnostics"], "FL111").is_object());
    h.notify("workspace/didChangeConfiguration",
             {{"settings", {{"faultline", {{"checks", {{"disabled", {"FL111"}}}}}}}}});
    CHECK(h.session.config().disabled_checks.count("FL111") == 1);
    CHECK(find_code(h.wait_diagnostics(kUri)["params"]["diagnostics"], "FL111").is_null());
    // Mistyped settings are skipped, the rest still applies, and nothing breaks.
    h.notify("workspace/didChangeConfiguration", {{"settings",
                                                   {{"checks", {{"disabled", json::array()}}},
                                                    {"probe", {{"budgetSeconds", "lots"}}},
                                                    {"logLevel", 3}}}});
    CHECK(h.session.config().budget_seconds == 3.0);
    CHECK(find_code(h.wait_diagnostics(kUri)["params"]["diagnostics"], "FL111").is_object());
}

TEST_CASE("commands: showTrace is null before any probe; runProbe without a worker fails cleanly") {
    Harness h;
    h.initialize();
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json trace = h.reply(
        h.request("workspace/executeCommand", {{"command", "faultline.showTrace"}, {"arguments", {kUri}}}));
    CHECK(trace.contains("result"));
    CHECK(trace["result"].is_null());
    json probe = h.reply(
        h.request("workspace/executeCommand", {{"command", "faultline.runProbe"}, {"arguments", {kUri}}}));
    CHECK(probe["error"]["code"] == -32803);
    json unknown = h.reply(h.request("workspace/executeCommand", {{"command", "faultline.nope"}}));
    CHECK(unknown["error"]["code"] == -32602);
}

TEST_CASE("a code action asked for inside the debounce window uses the ranges of the current text") {
    Harness h;
    h.initialize();
    h.open(kUri, read_fixture("softmax_single_unit.py"));
    json d = find_code(h.wait_diagnostics(kUri)["params"]["diagnostics"], "FL111");
    REQUIRE(d.is_object());
    // Two lines inserted at the top: the flagged statement moves down by two lines.
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", kUri}, {"version", 2}}},
              {"contentChanges", {{{"range", range(0, 0, 0, 0)}, {"text", "#\n#\n"}}}}});
    json moved = d["range"];
    moved["start"]["line"] = kOutputLine + 2;
    moved["end"]["line"] = kOutputLine + 2;
    json actions = h.reply(h.request(
        "textDocument/codeAction",
        {{"textDocument", {{"uri", kUri}}}, {"range", moved}, {"context", json::object()}}))["result"];
    REQUIRE(!actions.empty());
    json edit = actions[0]["edit"]["changes"][kUri][0];
    CHECK(edit["range"]["start"]["line"] == kOutputLine + 2);
}
