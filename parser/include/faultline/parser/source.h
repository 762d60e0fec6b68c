// Positions in a script's text, and the one place that converts them to editor positions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// A point as tree-sitter reports it: 0-based row, column in bytes.
struct Point {
    uint32_t row = 0;
    uint32_t column = 0;
    friend bool operator==(const Point&, const Point&) = default;
};

// A half-open byte range of the source text with its start and end points.
struct Span {
    uint32_t start_byte = 0;
    uint32_t end_byte = 0;
    Point start;
    Point end;
    bool empty() const { return start_byte == end_byte && start_byte == 0 && end.row == 0 && end.column == 0; }
    friend bool operator==(const Span&, const Span&) = default;
};

// How columns are counted on the wire. LSP's default is UTF-16 code units.
enum class PositionEncoding { Utf8, Utf16, Utf32 };

// 0-based line and column in the chosen encoding (an LSP Position).
struct LinePosition {
    uint32_t line = 0;
    uint32_t character = 0;
    friend bool operator==(const LinePosition&, const LinePosition&) = default;
};

// Maps byte offsets to line/column positions in any encoding and back. Invalid UTF-8 bytes count as one
// code unit each, so a position never falls inside a broken sequence.
class LineIndex {
public:
    explicit LineIndex(std::string_view text);

    LinePosition to_position(uint32_t byte_offset, PositionEncoding enc) const;
    // Positions past the end of a line clamp to the line's end; past the last line clamp to the text's end.
    uint32_t to_offset(LinePosition pos, PositionEncoding enc) const;
    Point to_point(uint32_t byte_offset) const;
    uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
    uint32_t line_start(uint32_t line) const;
    uint32_t line_end(uint32_t line) const; // offset of the '\n' (or text end)

private:
    std::string_view text_;
    std::vector<uint32_t> line_starts_;
};

// A span for [start_byte, end_byte) computed from the text (used by tests and by edits built from offsets).
Span make_span(std::string_view text, uint32_t start_byte, uint32_t end_byte);

} // namespace faultline
