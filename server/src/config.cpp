#include "faultline/server/config.h"

namespace faultline::server {

void apply_settings(Config& config, const json& settings, std::vector<std::string>* warnings) {
    auto warn = [&](const std::string& w) {
        if (warnings) warnings->push_back(w);
    };
    if (!settings.is_object()) {
        if (!settings.is_null()) warn("settings must be an object");
        return;
    }
    const json& root = settings.contains("faultline") && settings["faultline"].is_object()
                           ? settings["faultline"]
                           : settings;
    if (const json* probe = optional_field(root, "probe")) {
        if (!probe->is_object()) {
            warn("probe must be an object");
        } else {
            if (const json* v = optional_field(*probe, "enabled")) {
                if (v->is_boolean())
                    config.probe_enabled = v->get<bool>();
                else
                    warn("probe.enabled must be a boolean");
            }
            if (const json* v = optional_field(*probe, "budgetSeconds")) {
                if (v->is_number() && v->get<double>() > 0 && v->get<double>() <= 600)
                    config.budget_seconds = v->get<double>();
                else
                    warn("probe.budgetSeconds must be a number in (0, 600]");
            }
            if (const json* v = optional_field(*probe, "memoryLimitMB")) {
                if (v->is_number_integer() && v->get<int64_t>() >= 64 && v->get<int64_t>() <= (1 << 20))
                    config.memory_limit_mb = v->get<uint64_t>();
                else
                    warn("probe.memoryLimitMB must be an integer in [64, 1048576]");
            }
        }
    }
    if (const json* checks = optional_field(root, "checks")) {
        const json* disabled = checks->is_object() ? optional_field(*checks, "disabled") : nullptr;
        if (!checks->is_object()) {
            warn("checks must be an object");
        } else if (disabled) {
            if (!disabled->is_array()) {
                warn("checks.disabled must be an array of rule codes");
            } else {
                config.disabled_checks.clear();
                for (const json& code : *disabled) {
                    if (code.is_string())
                        config.disabled_checks.insert(code.get<std::string>());
                    else
                        warn("checks.disabled holds a non-string entry; skipped");
                }
            }
        }
    }
    if (const json* level = optional_field(root, "logLevel")) {
        auto parsed = level->is_string() ? log_level_from_string(level->get<std::string>()) : std::nullopt;
        if (parsed)
            config.log_level = *parsed;
        else
            warn("logLevel must be one of error, warn, info, debug");
    }
}

} // namespace faultline::server
