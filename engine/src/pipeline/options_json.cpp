#include "faultline/engine/options_json.h"

namespace faultline {
namespace {

// Reads `key` into `field` when present; absent keys keep the default already in `field`.
template <typename T> void read(const nlohmann::json& j, const char* key, T& field) {
    if (auto it = j.find(key); it != j.end()) it->get_to(field);
}

} // namespace

void to_json(nlohmann::json& j, const ProbeOptions& o) {
    j = {{"budget_seconds", o.budget_seconds},
         {"max_steps", o.max_steps},
         {"max_epochs", o.max_epochs},
         {"max_train_samples", o.max_train_samples},
         {"memory_limit_bytes", o.memory_limit_bytes},
         {"seed", o.seed},
         {"threads", o.threads},
         {"instruments", o.instruments}};
}

void from_json(const nlohmann::json& j, ProbeOptions& o) {
    read(j, "budget_seconds", o.budget_seconds);
    read(j, "max_steps", o.max_steps);
    read(j, "max_epochs", o.max_epochs);
    read(j, "max_train_samples", o.max_train_samples);
    read(j, "memory_limit_bytes", o.memory_limit_bytes);
    read(j, "seed", o.seed);
    read(j, "threads", o.threads);
    read(j, "instruments", o.instruments);
}

void to_json(nlohmann::json& j, const CheckOptions& o) {
    j = {{"disabled", o.disabled}};
}

void from_json(const nlohmann::json& j, CheckOptions& o) {
    read(j, "disabled", o.disabled);
}

void to_json(nlohmann::json& j, const AnalysisOptions& o) {
    j = {{"probe", o.probe},
         {"validate_fixes", o.validate_fixes},
         {"whatif", o.whatif},
         {"probe_options", o.probe_options},
         {"checks", o.checks}};
}

void from_json(const nlohmann::json& j, AnalysisOptions& o) {
    read(j, "probe", o.probe);
    read(j, "validate_fixes", o.validate_fixes);
    read(j, "whatif", o.whatif);
    read(j, "probe_options", o.probe_options);
    read(j, "checks", o.checks);
}

} // namespace faultline
