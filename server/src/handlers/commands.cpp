// workspace/executeCommand: faultline.runProbe (answers when the probe is done) and faultline.showTrace.
#include "faultline/server/session.h"
#include "faultline/server/worker_client.h"

#include <nlohmann/json.hpp>

namespace faultline::server {
namespace {

// Commands take the document as their first argument, either as a uri string or as {uri}.
std::optional<std::string> uri_argument(const json& params) {
    const json* args = optional_field(params, "arguments");
    if (!args || !args->is_array() || args->empty()) return std::nullopt;
    const json& first = (*args)[0];
    if (first.is_string()) return first.get<std::string>();
    if (first.is_object() && first.contains("uri") && first["uri"].is_string())
        return first["uri"].get<std::string>();
    throw RpcError(error_code::InvalidParams, "the argument must be a document uri or {uri}");
}

} // namespace

void Session::on_execute_command(const json& params, Reply& reply) {
    std::string command = require_string(params, "command");
    std::optional<std::string> uri = uri_argument(params);
    if (command == "faultline.showTrace") {
        std::string target = uri.value_or(last_trace_uri_);
        auto it = documents_.find(target);
        if (it == documents_.end() || !it->second->trace) return reply.result(nullptr);
        return reply.result(json(*it->second->trace));
    }
    if (command != "faultline.runProbe")
        throw RpcError(error_code::InvalidParams, "unknown command: " + command);
    if (!uri) throw RpcError(error_code::InvalidParams, "faultline.runProbe needs the document uri");
    if (!documents_.count(*uri)) throw RpcError(error_code::InvalidParams, "unknown document: " + *uri);
    if (options_.worker_command.empty())
        throw RpcError(error_code::RequestFailed, "the probe worker is not available in this server");
    std::string target = *uri;
    std::string key = defer(std::move(reply), [this, target] {
        if (probe_ && probe_->uri == target)
            cancel_probe_for(target, error_code::RequestCancelled, "probe cancelled by the client");
    });
    probe_waiters_[target].push_back(key);
    start_probe(target, /*force=*/true);
}

} // namespace faultline::server
