#include "faultline/engine/rules.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace faultline;

TEST_CASE("rule codes are unique, grouped FL1xx, and documented") {
    std::set<std::string> codes, names;
    for (const auto& r : all_rules()) {
        CHECK(std::regex_match(r.code, std::regex("FL1[0-6][0-9]")));
        CHECK(std::regex_match(r.name, std::regex("[a-z0-9]+(-[a-z0-9]+)*")));
        CHECK_FALSE(r.summary.empty());
        CHECK(codes.insert(r.code).second);
        CHECK(names.insert(r.name).second);
    }
    CHECK(codes.size() == all_rules().size());

    std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/docs/rules.md");
    REQUIRE(in);
    std::stringstream doc;
    doc << in.rdbuf();
    for (const auto& r : all_rules()) {
        INFO(r.code);
        CHECK(doc.str().find("\n## " + r.code + "\n\nRule `" + r.name + "`.") != std::string::npos);
    }
}
