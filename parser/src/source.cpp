#include "faultline/parser/source.h"

#include <algorithm>

namespace faultline {
namespace {

// Length in bytes of the UTF-8 sequence starting at `p` (1 for an invalid or truncated sequence, so every
// byte belongs to exactly one code point) and its size in UTF-16 code units.
struct CodePoint {
    uint32_t bytes;
    uint32_t utf16_units;
};

CodePoint decode(std::string_view text, uint32_t p) {
    auto byte = [&](uint32_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char c = byte(p);
    uint32_t need = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (need == 0 || p + need > text.size()) return {1, 1};
    for (uint32_t i = 1; i < need; ++i)
        if ((byte(p + i) & 0xC0) != 0x80) return {1, 1};
    return {need, need == 4 ? 2u : 1u};
}

uint32_t units(CodePoint cp, PositionEncoding enc) {
    switch (enc) {
    case PositionEncoding::Utf8:
        return cp.bytes;
    case PositionEncoding::Utf16:
        return cp.utf16_units;
    case PositionEncoding::Utf32:
        return 1;
    }
    return cp.bytes;
}

} // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (uint32_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') line_starts_.push_back(i + 1);
}

uint32_t LineIndex::line_start(uint32_t line) const {
    return line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
}

uint32_t LineIndex::line_end(uint32_t line) const {
    if (line + 1 < line_starts_.size()) return line_starts_[line + 1] - 1;
    return static_cast<uint32_t>(text_.size());
}

Point LineIndex::to_point(uint32_t byte_offset) const {
    byte_offset = std::min<uint32_t>(byte_offset, static_cast<uint32_t>(text_.size()));
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte_offset);
    uint32_t line = static_cast<uint32_t>(it - line_starts_.begin()) - 1;
    return {line, byte_offset - line_starts_[line]};
}

LinePosition LineIndex::to_position(uint32_t byte_offset, PositionEncoding enc) const {
    Point pt = to_point(byte_offset);
    uint32_t start = line_starts_[pt.row];
    uint32_t target = start + pt.column;
    uint32_t character = 0;
    for (uint32_t p = start; p < target;) {
        CodePoint cp = decode(text_, p);
        if (p + cp.bytes > target) break; // offset inside a sequence: count up to its start
        character += units(cp, enc);
        p += cp.bytes;
    }
    return {pt.row, character};
}

uint32_t LineIndex::to_offset(LinePosition pos, PositionEncoding enc) const {
    if (pos.line >= line_starts_.size()) return static_cast<uint32_t>(text_.size());
    uint32_t p = line_starts_[pos.line];
    uint32_t end = line_end(pos.line);
    uint32_t character = 0;
    while (p < end && character < pos.character) {
        CodePoint cp = decode(text_, p);
        uint32_t u = units(cp, enc);
        if (character + u > pos.character) break; // inside a surrogate pair: stay before it
        character += u;
        p += cp.bytes;
    }
    return p;
}

Span make_span(std::string_view text, uint32_t start_byte, uint32_t end_byte) {
    LineIndex index(text);
    return {start_byte, end_byte, index.to_point(start_byte), index.to_point(end_byte)};
}

} // namespace faultline
