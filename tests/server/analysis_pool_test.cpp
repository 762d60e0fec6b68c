// Static analysis runs off the I/O thread: a 10 MB document being parsed and checked does not hold up
// requests on other documents, rapid edits publish only the latest version, and exit with an analysis in
// flight is clean.
#include "harness.h"

#include "faultline/server/framing.h"
#include "faultline/server/server.h"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

using namespace faultline::server;
using namespace faultline::server::test;

namespace {

const char* kBigUri = "file:///big.py";

// Valid Python of about 10 MB ending in a faulty model (softmax on one unit, as in framing_test).
std::string big_script() {
    std::string text =
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential()\n";
    std::string line = "x_value_0123456789 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]\n";
    while (text.size() < 10u << 20)
        text += line;
    text += "model.add(Dense(1, activation='softmax', input_dim=4))\n"
            "model.compile(loss='binary_crossentropy', optimizer='adam')\n";
    return text;
}

const char* kSmall = "from keras.models import Sequential\n"
                     "from keras.layers import Dense\n"
                     "model = Sequential()\n"
                     "model.add(Dense(1, activation='softmax', input_dim=4))\n"
                     "model.compile(loss='binary_crossentropy', optimizer='adam')\n";

// Runs the io_context until the big document's analysis has been handed to the pool.
void run_until_submitted(Harness& h, const std::string& uri) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (h.session.document(uri)->analysis_seq == 0 && std::chrono::steady_clock::now() < deadline) {
        h.io.restart();
        h.io.run_for(std::chrono::milliseconds(5));
    }
    REQUIRE(h.session.document(uri)->analysis_seq != 0);
}

std::ptrdiff_t index_of(const std::vector<json>& sent, const std::function<bool(const json&)>& pred) {
    for (std::size_t i = 0; i < sent.size(); ++i)
        if (pred(sent[i])) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

bool is_diagnostics_for(const json& m, const std::string& uri) {
    return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
}

} // namespace

TEST_CASE("requests on a small document are answered while a 10 MB document is analyzed") {
    Harness h;
    h.initialize();
    h.open("file:///small.py", kSmall);
    REQUIRE(h.wait_diagnostics("file:///small.py").is_object());

    h.open(kBigUri, big_script());
    run_until_submitted(h, kBigUri);
    auto start = std::chrono::steady_clock::now();
    // A hover on the analyzed small document, then an edit of it and a hover that needs the new version's
    // analysis (it runs on the pool's second thread, beside the big document).
    int64_t first = h.request("textDocument/hover",
                              {{"textDocument", {{"uri", "file:///small.py"}}}, {"position", pos(3, 33)}});
    json first_reply = h.reply(first, std::chrono::seconds(60));
    auto first_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", "file:///small.py"}, {"version", 2}}},
              {"contentChanges", {{{"range", range(0, 0, 0, 0)}, {"text", "# edited\n"}}}}});
    int64_t second = h.request("textDocument/hover",
                               {{"textDocument", {{"uri", "file:///small.py"}}}, {"position", pos(4, 33)}});
    json second_reply = h.reply(second, std::chrono::seconds(60));
    auto second_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(h.wait_diagnostics(kBigUri, std::chrono::seconds(120)).is_object());
    auto big_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    WARN("small hover " << first_ms << " ms, small edit + hover " << second_ms << " ms, big diagnostics "
                        << big_ms << " ms after its analysis started");

    // Both hovers found the softmax finding of the small document (the second on the shifted line).
    CHECK(first_reply["result"]["contents"]["value"].is_string());
    CHECK(second_reply["result"]["range"]["start"]["line"] == 4);
    // Ordering, not wall-clock: both replies went out before the big document's diagnostics.
    auto& sent = h.transport.sent;
    auto reply_at = [&](int64_t id) {
        return index_of(sent, [&](const json& m) { return m.contains("id") && m["id"] == id; });
    };
    auto big_at = index_of(sent, [](const json& m) { return is_diagnostics_for(m, kBigUri); });
    auto small_v2_at = index_of(sent, [](const json& m) {
        return is_diagnostics_for(m, "file:///small.py") && m["params"]["version"] == 2;
    });
    REQUIRE(big_at >= 0);
    CHECK(reply_at(first) < big_at);
    CHECK(reply_at(second) < big_at);
    CHECK(small_v2_at >= 0);
    CHECK(small_v2_at < big_at);
}

TEST_CASE("rapid edits of a 10 MB document publish diagnostics only for the latest version") {
    Harness h;
    h.initialize();
    h.open(kBigUri, big_script());
    run_until_submitted(h, kBigUri);
    // Each edit adds a line at the top and is handed to the pool (past the debounce) while the first parse
    // still runs, so jobs queue up behind it.
    for (int version = 2; version <= 5; ++version) {
        h.notify("textDocument/didChange",
                 {{"textDocument", {{"uri", kBigUri}, {"version", version}}},
                  {"contentChanges", {{{"range", range(0, 0, 0, 0)}, {"text", "# edit\n"}}}}});
        auto seq = h.session.document(kBigUri)->analysis_seq;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (h.session.document(kBigUri)->analysis_seq == seq &&
               std::chrono::steady_clock::now() < deadline) {
            h.io.restart();
            h.io.run_for(std::chrono::milliseconds(5));
        }
    }
    json published = h.wait_diagnostics(kBigUri, std::chrono::seconds(120));
    REQUIRE(published.is_object());
    CHECK(published["params"]["version"] == 5);
    // Give a stale result time to show up if one were still coming, then check none did.
    h.io.restart();
    h.io.run_for(std::chrono::milliseconds(300));
    for (const json& m : h.transport.sent)
        if (is_diagnostics_for(m, kBigUri)) CHECK(m["params"]["version"] == 5);
    // The pool's Document saw every edit in order: the softmax finding sits on the line it has in the text
    // the I/O thread holds.
    const std::string& text = h.session.document(kBigUri)->text();
    auto at = text.find("model.add(Dense(1, activation='softmax'");
    REQUIRE(at != std::string::npos);
    auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    bool on_line = false;
    for (const json& d : published["params"]["diagnostics"])
        if (d["range"]["start"]["line"] == line) on_line = true;
    CHECK(on_line);
}

TEST_CASE("a request on a document being re-analyzed is answered with that version's findings") {
    Harness h;
    h.initialize();
    h.open("file:///small.py", kSmall);
    // Inside the debounce window: the hover waits for the analysis instead of reading the old text's ranges.
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", "file:///small.py"}, {"version", 2}}},
              {"contentChanges", {{{"range", range(0, 0, 0, 0)}, {"text", "\n\n"}}}}});
    json hover = h.reply(h.request(
        "textDocument/hover", {{"textDocument", {{"uri", "file:///small.py"}}}, {"position", pos(5, 33)}}));
    CHECK(hover["result"]["range"]["start"]["line"] == 5);
    // A pending pull request on a document that is closed meanwhile fails rather than hanging.
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", "file:///small.py"}, {"version", 3}}},
              {"contentChanges", {{{"range", range(0, 0, 0, 0)}, {"text", "\n"}}}}});
    int64_t pull = h.request("textDocument/diagnostic", {{"textDocument", {{"uri", "file:///small.py"}}}});
    h.notify("textDocument/didClose", {{"textDocument", {{"uri", "file:///small.py"}}}});
    json r = h.reply(pull);
    CHECK(r["error"]["code"] == -32801);
}

TEST_CASE("a pull right after an edit answers with the edited version's findings") {
    Harness h;
    h.initialize({{"probe", {{"enabled", false}}}}, {{"textDocument", {{"diagnostic", json::object()}}}});
    h.open("file:///small.py", kSmall);
    auto codes = [](const json& r) {
        std::vector<std::string> out;
        for (const json& d : r["result"]["items"])
            out.push_back(d["code"].get<std::string>());
        return out;
    };
    auto has_fl111 = [&](const json& r) {
        auto c = codes(r);
        return std::find(c.begin(), c.end(), "FL111") != c.end();
    };
    json first =
        h.reply(h.request("textDocument/diagnostic", {{"textDocument", {{"uri", "file:///small.py"}}}}));
    CHECK(has_fl111(first));
    // 'softmax' -> 'sigmoid', then a pull inside the debounce window: it must not see the old version.
    h.notify("textDocument/didChange",
             {{"textDocument", {{"uri", "file:///small.py"}, {"version", 2}}},
              {"contentChanges", {{{"range", range(3, 31, 3, 38)}, {"text", "sigmoid"}}}}});
    json second =
        h.reply(h.request("textDocument/diagnostic", {{"textDocument", {{"uri", "file:///small.py"}}}}));
    REQUIRE(second.contains("result"));
    REQUIRE(h.session.document("file:///small.py")->text().find("activation='sigmoid'") != std::string::npos);
    CHECK(!has_fl111(second));
    CHECK(second["result"]["resultId"] != first["result"]["resultId"]);
}

TEST_CASE("exit while a 10 MB analysis is in flight ends the session cleanly") {
    auto start = std::chrono::steady_clock::now();
    {
        Harness h;
        h.initialize();
        h.open(kBigUri, big_script());
        run_until_submitted(h, kBigUri);
        // Until the pool has picked the job up (its parse takes seconds from then on).
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (h.session.wait_for_analyses(std::chrono::milliseconds(0)) &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        REQUIRE(!h.session.wait_for_analyses(std::chrono::milliseconds(0)));
        h.reply(h.request("shutdown", nullptr));
        h.notify("exit", nullptr);
        REQUIRE(h.exited);
        CHECK(*h.exited == 0);
        std::size_t sent = h.transport.sent.size();
        h.io.restart();
        h.io.run_for(std::chrono::milliseconds(50));
        CHECK(h.transport.sent.size() == sent); // nothing published after exit
    }                                           // the session's destructor joins the pool here
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    WARN("exit with a 10 MB analysis in flight: session gone " << ms << " ms after the open");
}

TEST_CASE("the real server process exits with code 0 on shutdown + exit while a 10 MB analysis runs") {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::close(in[1]);
        ::close(out[0]);
        faultline::ServerOptions options;
        options.log_file = "/dev/null";
        _exit(faultline::run_language_server(options));
    }
    ::close(in[0]);
    ::close(out[1]);
    auto write_message = [&](const json& m) {
        std::string framed = frame_message(dump_json(m));
        for (std::size_t done = 0; done < framed.size();) {
            ssize_t n = ::write(in[1], framed.data() + done, framed.size() - done);
            REQUIRE(n > 0);
            done += static_cast<std::size_t>(n);
        }
    };
    // The child's replies are drained on a thread so that it never blocks on a full pipe.
    std::string output;
    std::thread drain([&] {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(out[0], buf, sizeof buf)) > 0)
            output.append(buf, static_cast<std::size_t>(n));
    });
    write_message({{"jsonrpc", "2.0"},
                   {"id", 1},
                   {"method", "initialize"},
                   {"params",
                    {{"processId", nullptr},
                     {"capabilities", json::object()},
                     {"initializationOptions", {{"probe", {{"enabled", false}}}}}}}});
    write_message({{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", json::object()}});
    write_message(
        {{"jsonrpc", "2.0"},
         {"method", "textDocument/didOpen"},
         {"params",
          {{"textDocument",
            {{"uri", kBigUri}, {"languageId", "python"}, {"version", 1}, {"text", big_script()}}}}}});
    ::usleep(300 * 1000); // past the debounce: the parse is running on the pool
    auto start = std::chrono::steady_clock::now();
    write_message({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "shutdown"}});
    write_message({{"jsonrpc", "2.0"}, {"method", "exit"}});
    int status = 0;
    pid_t done = 0;
    while ((done = ::waitpid(child, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(60))
        ::usleep(10 * 1000);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (done == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
    }
    ::close(in[1]);
    drain.join();
    ::close(out[0]);
    WARN("process exit " << ms << " ms after shutdown + exit");
    REQUIRE(done == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(output.find("\"id\":2") != std::string::npos); // shutdown was answered
    CHECK(output.find("publishDiagnostics") == std::string::npos);
}
