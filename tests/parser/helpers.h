// Fixture loading and span lookup for the parser tests.
#pragma once

#include "faultline/parser/parse.h"
#include "faultline/parser/source.h"

#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace faultline {

inline std::ostream& operator<<(std::ostream& os, const Span& s) {
    return os << "[" << s.start_byte << "," << s.end_byte << ") " << s.start.row << ":" << s.start.column
              << "-" << s.end.row << ":" << s.end.column;
}

} // namespace faultline

namespace faultline::test {

inline std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(FAULTLINE_FIXTURES) + "/parser/" + name, std::ios::binary);
    if (!in) throw std::runtime_error("missing fixture " + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The span of the `nth` occurrence of `needle` at or after the first occurrence of `anchor`.
inline Span span_of(const std::string& text, const std::string& needle, const std::string& anchor = "",
                    int nth = 0) {
    size_t from = anchor.empty() ? 0 : text.find(anchor);
    if (from == std::string::npos) throw std::runtime_error("anchor not found: " + anchor);
    size_t at = text.find(needle, from);
    for (int k = 0; k < nth && at != std::string::npos; ++k)
        at = text.find(needle, at + 1);
    if (at == std::string::npos) throw std::runtime_error("needle not found: " + needle);
    return make_span(text, static_cast<uint32_t>(at), static_cast<uint32_t>(at + needle.size()));
}

// The span of the whole line (without its newline) that contains the first occurrence of `needle`.
inline Span line_of(const std::string& text, const std::string& needle) {
    size_t at = text.find(needle);
    if (at == std::string::npos) throw std::runtime_error("needle not found: " + needle);
    size_t start = text.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    return make_span(text, static_cast<uint32_t>(start), static_cast<uint32_t>(end));
}

} // namespace faultline::test
