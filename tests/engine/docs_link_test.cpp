// Rule links resolve or are not given: a docs address the user sets, the docs installed beside the binary,
// else nothing; and every code the engine reports has its section in docs/rules.md.
#include "faultline/engine/docs_link.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("the docs address: the user's URL, else the installed rules.md, else none") {
    CHECK(rules_doc_address("https://docs.example.test/faultline/", "/opt/x/bin/faultline") ==
          "https://docs.example.test/faultline/rules.md");
    CHECK(rules_doc_address("", "").empty());

    const fs::path prefix = fs::temp_directory_path() / ("faultline docs " + std::to_string(::getpid()));
    fs::create_directories(prefix / "bin");
    const std::string binary = (prefix / "bin" / "faultline").string();
    CHECK(rules_doc_address("", binary).empty()); // not installed: no link rather than a dead one

    fs::create_directories(prefix / "share" / "doc" / "faultline");
    std::ofstream(prefix / "share" / "doc" / "faultline" / "rules.md") << "## FL101\n";
    const std::string address = rules_doc_address("", binary);
    CHECK(address == file_uri(fs::canonical(prefix).string()) + "/share/doc/faultline/rules.md");
    CHECK(address.find("%20") != std::string::npos); // the space in the folder's name
    fs::remove_all(prefix);
}

TEST_CASE("this process's rule links point at rules.md sections or are absent") {
    const std::string url = rule_docs_url("FL101");
    if (!url.empty()) CHECK(std::regex_search(url, std::regex("rules\\.md#fl101$")));
    CHECK(url.find("github.com") == std::string::npos);
}

TEST_CASE("every code the engine reports has a section in docs/rules.md") {
    const std::string doc = read_text(fs::path(FAULTLINE_SOURCE_DIR) / "docs" / "rules.md");
    const std::regex code_literal("\"(FL[0-9]{3})\"");
    std::set<std::string> codes;
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / "engine" / "src")) {
        if (entry.path().extension() != ".cpp" && entry.path().extension() != ".h") continue;
        const std::string text = read_text(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), code_literal), end; it != end; ++it)
            codes.insert((*it)[1]);
    }
    REQUIRE(codes.size() > 50);
    for (const auto& code : codes) {
        INFO(code);
        CHECK(doc.find("\n## " + code + "\n") != std::string::npos);
    }
}

TEST_CASE("no source file links to the web address that does not exist") {
    // The address the links used to name; no page was ever published there.
    const std::string dead = std::string("github.com/") + "faultline-dev";
    for (const char* dir :
         {"engine/src", "engine/include", "server", "cli", "editors/vscode/src", "editors/nvim", "docs"}) {
        for (const auto& entry : fs::recursive_directory_iterator(fs::path(FAULTLINE_SOURCE_DIR) / dir)) {
            if (!entry.is_regular_file() || entry.path().string().find("node_modules") != std::string::npos)
                continue;
            INFO(entry.path());
            CHECK(read_text(entry.path()).find(dead) == std::string::npos);
        }
    }
}
