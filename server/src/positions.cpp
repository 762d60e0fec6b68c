#include "faultline/server/positions.h"

#include <algorithm>
#include <limits>

namespace faultline::server {

std::optional<PositionEncoding> encoding_from_string(std::string_view name) {
    if (name == "utf-8") return PositionEncoding::Utf8;
    if (name == "utf-16") return PositionEncoding::Utf16;
    if (name == "utf-32") return PositionEncoding::Utf32;
    return std::nullopt;
}

const char* encoding_name(PositionEncoding enc) {
    switch (enc) {
    case PositionEncoding::Utf8:
        return "utf-8";
    case PositionEncoding::Utf16:
        return "utf-16";
    case PositionEncoding::Utf32:
        return "utf-32";
    }
    return "utf-16";
}

json to_lsp_position(const LineIndex& index, uint32_t offset, PositionEncoding enc) {
    LinePosition p = index.to_position(offset, enc);
    return {{"line", p.line}, {"character", p.character}};
}

json to_lsp_range(const LineIndex& index, uint32_t start, uint32_t end, PositionEncoding enc) {
    if (end < start) end = start;
    return {{"start", to_lsp_position(index, start, enc)}, {"end", to_lsp_position(index, end, enc)}};
}

namespace {
bool is_position(const json& p) {
    auto ok = [&](const char* key) {
        auto it = p.find(key);
        return it != p.end() && it->is_number_integer() && it->get<int64_t>() >= 0;
    };
    return p.is_object() && ok("line") && ok("character");
}

uint32_t clamp_u32(int64_t v) {
    return static_cast<uint32_t>(std::min<int64_t>(v, std::numeric_limits<uint32_t>::max()));
}
} // namespace

bool is_lsp_range(const json& range) {
    return range.is_object() && range.contains("start") && range.contains("end") &&
           is_position(range["start"]) && is_position(range["end"]);
}

uint32_t from_lsp_position(const LineIndex& index, const json& position, PositionEncoding enc) {
    if (!is_position(position))
        throw RpcError(error_code::InvalidParams,
                       "a position must be {line, character} with non-negative integers");
    LinePosition p{clamp_u32(position["line"].get<int64_t>()),
                   clamp_u32(position["character"].get<int64_t>())};
    return index.to_offset(p, enc);
}

std::pair<uint32_t, uint32_t> from_lsp_range(const LineIndex& index, const json& range,
                                             PositionEncoding enc) {
    if (!is_lsp_range(range))
        throw RpcError(error_code::InvalidParams, "a range must be {start, end} positions");
    uint32_t a = from_lsp_position(index, range["start"], enc);
    uint32_t b = from_lsp_position(index, range["end"], enc);
    if (b < a) std::swap(a, b); // a reversed range from a confused client still names the same text
    return {a, b};
}

} // namespace faultline::server
