// Just enough of Python's surface syntax to edit a script in place: string literals, call argument lists and
// statement lines, located by byte offsets. The parser gives the spans; this finds the bytes inside them that
// a fix rewrites, so an edit touches only the literal or argument it means to change.
#pragma once

#include "faultline/engine/finding.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::fixes {

// A single-quoted or double-quoted literal (with an optional r/u/b prefix); the body excludes the quotes.
struct StringLiteral {
    uint32_t start = 0, end = 0;           // the whole literal
    uint32_t body_start = 0, body_end = 0; // between the quotes
    char quote = '\'';
};
// The string literal that `[start, end)` covers exactly (surrounding whitespace allowed), else nullopt.
std::optional<StringLiteral> string_literal_at(std::string_view text, uint32_t start, uint32_t end);

struct Argument {
    uint32_t start = 0, end = 0; // the whole argument, trimmed
    std::string keyword;         // "" for a positional argument
    uint32_t value_start = 0;    // where the value begins (== start for positional)
};

struct CallText {
    uint32_t start = 0;           // callee start
    uint32_t callee_end = 0;      // end of the callee expression (before '(')
    uint32_t name_start = 0;      // the last dotted component of the callee (`SGD` in `keras.optimizers.SGD`)
    uint32_t open = 0, close = 0; // offsets of '(' and ')'
    std::vector<Argument> args;
    std::string_view callee(std::string_view text) const { return text.substr(start, callee_end - start); }
    std::string_view name(std::string_view text) const {
        return text.substr(name_start, callee_end - name_start);
    }
    const Argument* keyword(std::string_view kw) const;
};
// The call expression that starts at `start` (a dotted name followed by a parenthesized argument list) and
// ends at or before `limit`. nullopt when the text there is not such a call.
std::optional<CallText> call_at(std::string_view text, uint32_t start, uint32_t limit);
// The first call inside `[start, end)` whose callee's last component is `name` (e.g. "fit").
std::optional<CallText> find_call(std::string_view text, uint32_t start, uint32_t end, std::string_view name);

// The quote character the script uses most for strings (defaults to ').
char preferred_quote(std::string_view text);
std::string quoted(std::string_view body, char quote);

// A Python float literal for `v` in the style of `like` (the literal it replaces): scientific notation when
// `like` uses it, otherwise plain decimals ("0.001").
std::string format_float(double v, std::string_view like = {});

// Edits as Replacements on `text` (the spans carry rows and columns for the editor).
Replacement replace_bytes(std::string_view text, uint32_t start, uint32_t end, std::string new_text);
Replacement insert_at(std::string_view text, uint32_t at, std::string new_text);
// Appends a keyword argument (`name=value`) after the call's last argument, or inside empty parentheses.
Replacement append_argument(std::string_view text, const CallText& call, const std::string& argument);
// Removes one argument with the comma that separates it from its neighbour.
Replacement remove_argument(std::string_view text, const CallText& call, size_t index);

// Offsets of the start of the line containing `at`, and its indentation (leading spaces and tabs).
uint32_t line_start(std::string_view text, uint32_t at);
std::string indentation_at(std::string_view text, uint32_t at);

bool is_identifier(std::string_view s);

} // namespace faultline::fixes
