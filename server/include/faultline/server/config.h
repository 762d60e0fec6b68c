// User settings, from initializationOptions and workspace/didChangeConfiguration.
#pragma once

#include "faultline/server/log.h"
#include "faultline/server/protocol.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace faultline::server {

struct Config {
    bool probe_enabled = true;
    double budget_seconds = 3.0;
    uint64_t memory_limit_mb = 1024;
    std::set<std::string> disabled_checks;
    LogLevel log_level = LogLevel::Info;
};

// Applies the fields present in `settings`: either the settings object itself or one nested under
// "faultline" (VS Code sends the section). Fields of the wrong type or out of range are skipped and described
// in `warnings`; the rest still apply.
void apply_settings(Config& config, const json& settings, std::vector<std::string>* warnings);

} // namespace faultline::server
