#include "fixes/python_text.h"

#include "faultline/parser/source.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace faultline::fixes {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}
bool is_quote(char c) {
    return c == '\'' || c == '"';
}

// The offset just past the string literal whose opening quote is at `q`, or text.size() when unterminated.
size_t skip_string(std::string_view text, size_t q) {
    char quote = text[q];
    bool triple = q + 2 < text.size() && text[q + 1] == quote && text[q + 2] == quote;
    size_t i = q + (triple ? 3 : 1);
    while (i < text.size()) {
        char c = text[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (!triple && c == '\n') return i; // an unterminated one-line string ends at the line
        if (c == quote) {
            if (!triple) return i + 1;
            if (i + 2 < text.size() && text[i + 1] == quote && text[i + 2] == quote) return i + 3;
        }
        ++i;
    }
    return text.size();
}

size_t skip_comment(std::string_view text, size_t i) {
    while (i < text.size() && text[i] != '\n')
        ++i;
    return i;
}

// The matching close bracket for the open bracket at `open`, skipping strings and comments; npos if none.
size_t matching_close(std::string_view text, size_t open, size_t limit) {
    int depth = 0;
    for (size_t i = open; i < limit;) {
        char c = text[i];
        if (is_quote(c)) {
            i = skip_string(text, i);
            continue;
        }
        if (c == '#') {
            i = skip_comment(text, i);
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') {
            if (--depth == 0) return i;
        }
        ++i;
    }
    return std::string_view::npos;
}

uint32_t trim_left(std::string_view text, uint32_t a, uint32_t b) {
    while (a < b) {
        if (is_space(text[a])) {
            ++a;
        } else if (text[a] == '#') {
            a = static_cast<uint32_t>(skip_comment(text, a));
        } else {
            break;
        }
    }
    return a;
}

uint32_t trim_right(std::string_view text, uint32_t a, uint32_t b) {
    while (b > a && is_space(text[b - 1]))
        --b;
    return b;
}

// Splits `(open, close)` into top-level arguments. Comments inside are kept out of argument bounds only at
// their edges; the rare comment in the middle of an argument stays part of it.
std::vector<Argument> split_arguments(std::string_view text, uint32_t open, uint32_t close) {
    std::vector<Argument> args;
    uint32_t piece = open + 1;
    int depth = 0;
    auto flush = [&](uint32_t end) {
        uint32_t a = trim_left(text, piece, end);
        uint32_t b = trim_right(text, a, end);
        // A comment at the end of a piece ("x,  # note") belongs to the layout, not the argument.
        for (uint32_t i = a; i < b;) {
            if (is_quote(text[i])) {
                i = static_cast<uint32_t>(skip_string(text, i));
            } else if (text[i] == '#') {
                b = trim_right(text, a, i);
                break;
            } else {
                ++i;
            }
        }
        if (a >= b) return;
        Argument arg{a, b, "", a};
        uint32_t i = a;
        while (i < b && is_name_char(text[i]))
            ++i;
        uint32_t name_end = i;
        while (i < b && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        if (name_end > a && i < b && text[i] == '=' && (i + 1 >= b || text[i + 1] != '=')) {
            arg.keyword = std::string(text.substr(a, name_end - a));
            arg.value_start = trim_left(text, i + 1, b);
        }
        args.push_back(std::move(arg));
    };
    for (uint32_t i = open + 1; i < close;) {
        char c = text[i];
        if (is_quote(c)) {
            i = static_cast<uint32_t>(skip_string(text, i));
            continue;
        }
        if (c == '#') {
            i = static_cast<uint32_t>(skip_comment(text, i));
            continue;
        }
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') --depth;
        if (c == ',' && depth == 0) {
            flush(i);
            piece = i + 1;
        }
        ++i;
    }
    flush(close);
    return args;
}

} // namespace

std::optional<StringLiteral> string_literal_at(std::string_view text, uint32_t start, uint32_t end) {
    if (end > text.size() || start >= end) return std::nullopt;
    uint32_t a = trim_left(text, start, end);
    uint32_t b = trim_right(text, a, end);
    uint32_t q = a;
    while (q < b && q - a < 2 && text[q] != 0 && std::strchr("rRuUbB", text[q]))
        ++q;
    if (q >= b || !is_quote(text[q])) return std::nullopt;
    char quote = text[q];
    if (q + 2 < b && text[q + 1] == quote && text[q + 2] == quote)
        return std::nullopt; // triple quotes: leave alone
    size_t after = skip_string(text, q);
    if (after != b || b - q < 2 || text[b - 1] != quote) return std::nullopt;
    return StringLiteral{a, b, q + 1, b - 1, quote};
}

const Argument* CallText::keyword(std::string_view kw) const {
    for (const auto& a : args)
        if (a.keyword == kw) return &a;
    return nullptr;
}

std::optional<CallText> call_at(std::string_view text, uint32_t start, uint32_t limit) {
    limit = std::min<uint32_t>(limit, static_cast<uint32_t>(text.size()));
    uint32_t i = trim_left(text, start, limit);
    CallText call;
    call.start = i;
    call.name_start = i;
    // A dotted name: `keras.optimizers.SGD`, spaces around dots are not Python style and not accepted here.
    while (i < limit && (is_name_char(text[i]) || text[i] == '.')) {
        if (text[i] == '.') call.name_start = i + 1;
        ++i;
    }
    if (i == call.start || call.name_start == i) return std::nullopt;
    call.callee_end = i;
    uint32_t open = i;
    while (open < limit && (text[open] == ' ' || text[open] == '\t'))
        ++open;
    if (open >= limit || text[open] != '(') return std::nullopt;
    size_t close = matching_close(text, open, limit);
    if (close == std::string_view::npos) return std::nullopt;
    call.open = open;
    call.close = static_cast<uint32_t>(close);
    call.args = split_arguments(text, call.open, call.close);
    return call;
}

std::optional<CallText> find_call(std::string_view text, uint32_t start, uint32_t end,
                                  std::string_view name) {
    end = std::min<uint32_t>(end, static_cast<uint32_t>(text.size()));
    for (uint32_t i = start; i < end;) {
        char c = text[i];
        if (is_quote(c)) {
            i = static_cast<uint32_t>(skip_string(text, i));
            continue;
        }
        if (c == '#') {
            i = static_cast<uint32_t>(skip_comment(text, i));
            continue;
        }
        bool word_start = is_name_char(c) && (i == 0 || (!is_name_char(text[i - 1]) && text[i - 1] != '.'));
        if (word_start) {
            if (auto call = call_at(text, i, end); call && call->name(text) == name) return call;
            while (i < end && (is_name_char(text[i]) || text[i] == '.'))
                ++i;
            continue;
        }
        ++i;
    }
    return std::nullopt;
}

char preferred_quote(std::string_view text) {
    size_t single = 0, dbl = 0;
    for (size_t i = 0; i < text.size();) {
        char c = text[i];
        if (c == '#') {
            i = skip_comment(text, i);
        } else if (is_quote(c)) {
            bool triple = i + 2 < text.size() && text[i + 1] == c && text[i + 2] == c;
            if (!triple) (c == '\'' ? single : dbl)++;
            i = skip_string(text, i);
        } else {
            ++i;
        }
    }
    return dbl > single ? '"' : '\'';
}

std::string quoted(std::string_view body, char quote) {
    std::string s(1, quote);
    s += body;
    s += quote;
    return s;
}

std::string format_float(double v, std::string_view like) {
    bool scientific = like.find_first_of("eE") != std::string_view::npos;
    std::array<char, 40> buf{};
    if (scientific) {
        std::snprintf(buf.data(), buf.size(), "%.0e", v);
        std::string s = buf.data();
        // C prints 1e-03; Python scripts write 1e-3.
        auto e = s.find('e');
        std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
        std::string sign = exponent[0] == '-' ? "-" : "";
        size_t digits = exponent.find_first_not_of("+-0");
        return mantissa + "e" + sign + (digits == std::string::npos ? "0" : exponent.substr(digits));
    }
    // Plain decimals with no trailing zeros, but always a decimal point so the value stays a float.
    for (int precision = 1; precision <= 12; ++precision) {
        std::snprintf(buf.data(), buf.size(), "%.*f", precision, v);
        if (std::fabs(std::strtod(buf.data(), nullptr) - v) <= std::fabs(v) * 1e-9) break;
    }
    std::string s = buf.data();
    while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.')
        s.pop_back();
    return s;
}

Replacement replace_bytes(std::string_view text, uint32_t start, uint32_t end, std::string new_text) {
    return Replacement{make_span(text, start, end), std::move(new_text)};
}

Replacement insert_at(std::string_view text, uint32_t at, std::string new_text) {
    return replace_bytes(text, at, at, std::move(new_text));
}

Replacement append_argument(std::string_view text, const CallText& call, const std::string& argument) {
    if (call.args.empty()) return insert_at(text, call.open + 1, argument);
    return insert_at(text, call.args.back().end, ", " + argument);
}

Replacement remove_argument(std::string_view text, const CallText& call, size_t index) {
    const auto& args = call.args;
    if (args.size() == 1) return replace_bytes(text, call.open + 1, call.close, "");
    // Take the comma before the argument (or, for the first one, up to the next argument's start).
    if (index == 0) return replace_bytes(text, args[0].start, args[1].start, "");
    return replace_bytes(text, args[index - 1].end, args[index].end, "");
}

uint32_t line_start(std::string_view text, uint32_t at) {
    at = std::min<uint32_t>(at, static_cast<uint32_t>(text.size()));
    while (at > 0 && text[at - 1] != '\n')
        --at;
    return at;
}

std::string indentation_at(std::string_view text, uint32_t at) {
    uint32_t s = line_start(text, at);
    uint32_t e = s;
    while (e < text.size() && (text[e] == ' ' || text[e] == '\t'))
        ++e;
    return std::string(text.substr(s, e - s));
}

bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!is_name_char(c)) return false;
    return true;
}

} // namespace faultline::fixes
