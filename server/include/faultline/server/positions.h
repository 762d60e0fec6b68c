// LSP positions and ranges <-> byte offsets. Every conversion goes through faultline::LineIndex.
#pragma once

#include "faultline/parser/source.h"
#include "faultline/server/protocol.h"

#include <optional>
#include <string_view>
#include <utility>

namespace faultline::server {

std::optional<PositionEncoding> encoding_from_string(std::string_view name);
const char* encoding_name(PositionEncoding enc);

json to_lsp_position(const LineIndex& index, uint32_t offset, PositionEncoding enc);
json to_lsp_range(const LineIndex& index, uint32_t start, uint32_t end, PositionEncoding enc);

// {start: {line, character}, end: {...}} with non-negative integers.
bool is_lsp_range(const json& range);

// Throws RpcError(InvalidParams) when the position is mistyped; positions past the text clamp to it.
uint32_t from_lsp_position(const LineIndex& index, const json& position, PositionEncoding enc);
std::pair<uint32_t, uint32_t> from_lsp_range(const LineIndex& index, const json& range, PositionEncoding enc);

} // namespace faultline::server
