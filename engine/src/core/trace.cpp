#include "faultline/engine/trace.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace faultline {

const char* to_string(ProbeStatus s) {
    switch (s) {
    case ProbeStatus::Ok:
        return "ok";
    case ProbeStatus::Skipped:
        return "skipped";
    case ProbeStatus::Failed:
        return "failed";
    }
    return "failed";
}

double Trace::final_value(const std::string& series_name) const {
    auto it = series.find(series_name);
    if (it == series.end() || it->second.empty()) return std::numeric_limits<double>::quiet_NaN();
    return it->second.back();
}

namespace {
// JSON has no NaN/Inf: they travel as null and come back as NaN.
nlohmann::json series_to_json(const std::vector<double>& values) {
    nlohmann::json out = nlohmann::json::array();
    for (double v : values)
        out.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
    return out;
}
} // namespace

void to_json(nlohmann::json& j, const Trace& t) {
    nlohmann::json series = nlohmann::json::object();
    for (const auto& [name, values] : t.series)
        series[name] = series_to_json(values);
    j = nlohmann::json{{"status", to_string(t.status)},
                       {"reason", t.reason},
                       {"series", series},
                       {"flags", t.flags},
                       {"user_epochs", t.user_epochs},
                       {"user_updates", t.user_updates},
                       {"simulated_epochs", t.simulated_epochs},
                       {"epoch_scale", t.epoch_scale},
                       {"steps", t.steps},
                       {"train_samples", t.train_samples},
                       {"batch_size", t.batch_size},
                       {"synthetic_data", t.synthetic_data},
                       {"data_description", t.data_description},
                       {"seconds", t.seconds},
                       {"planned_seconds", t.planned_seconds},
                       {"seed", t.seed},
                       {"parameters", t.parameters},
                       {"diverged", t.diverged},
                       {"notes", t.notes}};
}

void from_json(const nlohmann::json& j, Trace& t) {
    std::string status = j.value("status", "skipped");
    t.status = status == "ok"       ? ProbeStatus::Ok
               : status == "failed" ? ProbeStatus::Failed
                                    : ProbeStatus::Skipped;
    t.reason = j.value("reason", "");
    t.series.clear();
    if (j.contains("series"))
        for (const auto& [name, values] : j.at("series").items()) {
            auto& out = t.series[name];
            for (const auto& v : values)
                out.push_back(v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN());
        }
    t.flags = j.value("flags", std::map<std::string, std::vector<int>>{});
    t.user_epochs = j.value("user_epochs", int64_t{0});
    t.user_updates = j.value("user_updates", int64_t{0});
    t.simulated_epochs = j.value("simulated_epochs", int64_t{0});
    t.epoch_scale = j.value("epoch_scale", 1.0);
    t.steps = j.value("steps", int64_t{0});
    t.train_samples = j.value("train_samples", int64_t{0});
    t.batch_size = j.value("batch_size", int64_t{0});
    t.synthetic_data = j.value("synthetic_data", true);
    t.data_description = j.value("data_description", "");
    t.seconds = j.value("seconds", 0.0);
    t.planned_seconds = j.value("planned_seconds", 0.0);
    t.seed = j.value("seed", uint64_t{0});
    t.parameters = j.value("parameters", int64_t{0});
    t.diverged = j.value("diverged", false);
    t.notes = j.value("notes", std::vector<std::string>{});
}

} // namespace faultline
