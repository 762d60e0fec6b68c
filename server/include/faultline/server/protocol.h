// JSON-RPC 2.0 as LSP uses it: message shapes and error codes.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace faultline::server {

using json = nlohmann::json;

namespace error_code {
inline constexpr int ParseError = -32700;
inline constexpr int InvalidRequest = -32600;
inline constexpr int MethodNotFound = -32601;
inline constexpr int InvalidParams = -32602;
inline constexpr int InternalError = -32603;
inline constexpr int ServerNotInitialized = -32002;
inline constexpr int RequestFailed = -32803;
inline constexpr int RequestCancelled = -32800;
inline constexpr int ContentModified = -32801;
} // namespace error_code

// Thrown by handlers to answer a request with an error; the router turns it into the response.
struct RpcError : std::runtime_error {
    RpcError(int code, const std::string& message) : std::runtime_error(message), code(code) {}
    int code;
};

json make_response(const json& id, json result);
json make_error(const json& id, int code, const std::string& message);
json make_notification(const std::string& method, json params);
json make_request(const json& id, const std::string& method, json params);

// Serializes without ever throwing: invalid UTF-8 coming from a user's file is replaced, not fatal.
std::string dump_json(const json& j);

// Typed access to params. Each throws RpcError(InvalidParams) naming the field when it is missing or
// mistyped.
const json& require_object(const json& parent, const char* key);
std::string require_string(const json& parent, const char* key);
int64_t require_int(const json& parent, const char* key);
// A key that may be absent or null; present with the wrong type is still InvalidParams.
const json* optional_field(const json& parent, const char* key);

} // namespace faultline::server
