// The part of TOML a pyproject.toml's [tool.faultline] table needs: table headers, `key = value` with
// strings, numbers, booleans and arrays of strings (one line or several). Everything else in the file
// (other tools' tables, inline tables, multi-line strings) is skipped unread, so another tool's settings
// never make faultline fail; inside the tables it reads, anything outside the subset is an error.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace faultline::toml {

using Strings = std::vector<std::string>;
using Value = std::variant<std::string, double, bool, Strings>;

struct Entry {
    Value value;
    int line = 0; // 1-based, for messages
};

// Table name ("tool.faultline.severity") -> key -> entry.
using Tables = std::map<std::string, std::map<std::string, Entry>>;

// Reads the tables named `prefix` or `prefix.*`. On malformed input returns false and sets `error` to
// "line N: what is wrong".
bool parse(std::string_view text, const std::string& prefix, Tables& out, std::string& error);

} // namespace faultline::toml
