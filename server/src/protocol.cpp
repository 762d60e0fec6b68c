#include "faultline/server/protocol.h"

namespace faultline::server {

json make_response(const json& id, json result) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json make_error(const json& id, int code, const std::string& message) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json make_notification(const std::string& method, json params) {
    return json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

json make_request(const json& id, const std::string& method, json params) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

std::string dump_json(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {
[[noreturn]] void bad_param(const char* key, const char* expected) {
    throw RpcError(error_code::InvalidParams, std::string("'") + key + "' must be " + expected);
}
const json& field(const json& parent, const char* key, const char* expected) {
    if (!parent.is_object()) throw RpcError(error_code::InvalidParams, "params must be an object");
    auto it = parent.find(key);
    if (it == parent.end()) bad_param(key, expected);
    return *it;
}
} // namespace

const json& require_object(const json& parent, const char* key) {
    const json& v = field(parent, key, "an object");
    if (!v.is_object()) bad_param(key, "an object");
    return v;
}

std::string require_string(const json& parent, const char* key) {
    const json& v = field(parent, key, "a string");
    if (!v.is_string()) bad_param(key, "a string");
    return v.get<std::string>();
}

int64_t require_int(const json& parent, const char* key) {
    const json& v = field(parent, key, "an integer");
    if (!v.is_number_integer()) bad_param(key, "an integer");
    return v.get<int64_t>();
}

const json* optional_field(const json& parent, const char* key) {
    if (!parent.is_object()) return nullptr;
    auto it = parent.find(key);
    if (it == parent.end() || it->is_null()) return nullptr;
    return &*it;
}

} // namespace faultline::server
