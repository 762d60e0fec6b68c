#include "toml_subset.h"

#include <cctype>
#include <cstdlib>

namespace faultline::toml {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

bool bare_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// A cursor over the text of the tables being read; values may span lines (arrays).
class Reader {
public:
    Reader(std::string_view text, int line) : text_(text), line_(line) {}

    int line() const { return line_; }
    size_t pos() const { return pos_; }
    bool done() const { return pos_ >= text_.size(); }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    void advance() {
        if (!done() && text_[pos_++] == '\n') ++line_;
    }
    // Spaces and tabs; with `newlines`, also line breaks and comments.
    void skip_blank(bool newlines) {
        while (!done()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
                advance();
            } else if (newlines && c == '#') {
                while (!done() && peek() != '\n')
                    advance();
            } else {
                break;
            }
        }
    }
    bool fail(std::string message) {
        error_ = "line " + std::to_string(line_) + ": " + std::move(message);
        return false;
    }
    const std::string& error() const { return error_; }

    bool key(std::string& out) {
        if (peek() == '"' || peek() == '\'') return string(out);
        while (bare_key_char(peek())) {
            out += peek();
            advance();
        }
        return out.empty() ? fail("expected a key") : true;
    }

    bool string(std::string& out) {
        const char quote = peek();
        advance();
        if (peek() == quote && pos_ + 1 < text_.size() && text_[pos_ + 1] == quote)
            return fail("multi-line strings are not supported here");
        while (!done() && peek() != quote) {
            if (peek() == '\n') return fail("unterminated string");
            if (quote == '"' && peek() == '\\') {
                advance();
                const char e = peek();
                if (e == 'n')
                    out += '\n';
                else if (e == 't')
                    out += '\t';
                else if (e == '"' || e == '\\')
                    out += e;
                else
                    return fail(std::string("unsupported escape \\") + e + " in a string");
                advance();
                continue;
            }
            out += peek();
            advance();
        }
        if (done()) return fail("unterminated string");
        advance();
        return true;
    }

    bool value(Value& out) {
        const char c = peek();
        if (c == '"' || c == '\'') {
            std::string s;
            if (!string(s)) return false;
            out = std::move(s);
            return true;
        }
        if (c == '[') return array(out);
        if (c == '{') return fail("inline tables are not supported here: use a [table] header");
        std::string word;
        while (!done() && !std::isspace(static_cast<unsigned char>(peek())) && peek() != '#' &&
               peek() != ',' && peek() != ']') {
            word += peek();
            advance();
        }
        if (word == "true" || word == "false") {
            out = word == "true";
            return true;
        }
        std::string digits;
        for (char d : word)
            if (d != '_') digits += d;
        char* end = nullptr;
        const double number = std::strtod(digits.c_str(), &end);
        if (digits.empty() || !end || *end != '\0') return fail("expected a value, found '" + word + "'");
        out = number;
        return true;
    }

    bool array(Value& out) {
        const int start = line_;
        advance(); // [
        Strings items;
        for (;;) {
            skip_blank(true);
            if (done()) {
                line_ = start;
                return fail("unterminated array");
            }
            if (peek() == ']') break;
            if (peek() != '"' && peek() != '\'') return fail("only arrays of strings are supported");
            std::string s;
            if (!string(s)) return false;
            items.push_back(std::move(s));
            skip_blank(true);
            if (done()) {
                line_ = start;
                return fail("unterminated array");
            }
            if (peek() == ',') {
                advance();
                continue;
            }
            if (peek() != ']') return fail("expected ',' or ']' in the array");
        }
        advance(); // ]
        out = std::move(items);
        return true;
    }

    // After a value: nothing but a comment up to the end of the line.
    bool end_of_line() {
        skip_blank(false);
        if (peek() == '#')
            while (!done() && peek() != '\n')
                advance();
        if (!done() && peek() != '\n') return fail("unexpected text after the value");
        advance();
        return true;
    }

private:
    std::string_view text_;
    size_t pos_ = 0;
    int line_;
    std::string error_;
};

// `[name]` / `[[name]]` with bare keys only, the header forms a pyproject.toml uses; "" when the line is not
// a header.
std::string header_name(std::string_view line, bool& array_of_tables) {
    line = trim(line);
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = trim(line.substr(0, hash));
    array_of_tables = line.size() > 4 && line.substr(0, 2) == "[[" && line.substr(line.size() - 2) == "]]";
    const size_t brackets = array_of_tables ? 2 : 1;
    if (line.size() < 2 * brackets + 1 || line.front() != '[' || line.back() != ']') return {};
    std::string name;
    for (char c : trim(line.substr(brackets, line.size() - 2 * brackets))) {
        if (c == ' ') continue;
        if (!bare_key_char(c) && c != '.') return {};
        name += c;
    }
    return name;
}

bool in_prefix(const std::string& table, const std::string& prefix) {
    return table == prefix || table.rfind(prefix + ".", 0) == 0;
}

} // namespace

bool parse(std::string_view text, const std::string& prefix, Tables& out, std::string& error) {
    // First pass: split into lines, find headers, and skip other tables (and their multi-line strings).
    std::string table;
    bool in_triple = false;
    size_t line_start = 0;
    int line_no = 0;
    while (line_start <= text.size()) {
        size_t nl = text.find('\n', line_start);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string_view line = text.substr(line_start, nl - line_start);
        ++line_no;
        const size_t next = nl + 1;
        bool triple_toggles = false;
        for (size_t k = line.find("\"\"\""); k != std::string_view::npos; k = line.find("\"\"\"", k + 3))
            triple_toggles = !triple_toggles;
        for (size_t k = line.find("'''"); k != std::string_view::npos; k = line.find("'''", k + 3))
            triple_toggles = !triple_toggles;
        if (in_triple) {
            if (triple_toggles) in_triple = false;
            line_start = next;
            continue;
        }
        bool array_of_tables = false;
        if (std::string name = header_name(line, array_of_tables); !name.empty()) {
            table = name;
            if (in_prefix(table, prefix)) {
                if (array_of_tables) {
                    error = "line " + std::to_string(line_no) + ": [[" + name +
                            "]] arrays of tables are not supported";
                    return false;
                }
                out[table];
            }
            line_start = next;
            continue;
        }
        if (!in_prefix(table, prefix)) {
            if (triple_toggles) in_triple = true;
            line_start = next;
            continue;
        }
        // A key of a table being read: parse it with the reader from here (its value may span lines).
        Reader r(text.substr(line_start), line_no);
        r.skip_blank(false);
        if (r.done() || r.peek() == '\n' || r.peek() == '#') {
            line_start = next;
            continue;
        }
        std::string key;
        Value value;
        bool ok = r.key(key);
        if (ok) {
            r.skip_blank(false);
            if (r.peek() == '.')
                ok = r.fail("dotted keys are not supported: use a [" + table + ".x] table");
            else if (r.peek() != '=')
                ok = r.fail("expected '=' after '" + key + "'");
        }
        if (ok) {
            r.advance();
            r.skip_blank(false);
            ok = r.value(value) && r.end_of_line();
        }
        if (!ok) {
            error = r.error();
            return false;
        }
        auto& entries = out[table];
        if (entries.count(key)) {
            error = "line " + std::to_string(line_no) + ": '" + key + "' is set twice in [" + table + "]";
            return false;
        }
        entries[key] = Entry{std::move(value), line_no};
        line_no = r.line() - 1;
        line_start += r.pos();
    }
    return true;
}

} // namespace faultline::toml
