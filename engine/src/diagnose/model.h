// The trained diagnosis model: one XGBoost classifier per fault type, a threshold for each, and the manifest
// that says how they were trained. Stored as manifest.json plus one <fault>.ubj per type.
#pragma once

#include "diagnose/booster.h"
#include "faultline/engine/diagnose.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::diag {

class XgbModel final : public DiagnosisModel {
public:
    std::map<Fault, double> predict(const std::vector<float>& features) const override;
    double threshold(Fault f) const override;

    std::map<Fault, std::unique_ptr<Booster>> boosters;
    std::map<Fault, double> thresholds;
    nlohmann::json manifest;
};

// Reads a model through `read` (file name -> bytes, nullopt when absent). Checks that the manifest's feature
// list is the one this build computes, so a stale model is refused rather than fed misaligned columns.
std::shared_ptr<const XgbModel>
load_model(const std::function<std::optional<std::string>(const std::string&)>& read, std::string* error);

// Writes manifest.json and the boosters into `dir` (created if needed).
bool save_model(const XgbModel& model, const std::string& dir, std::string* error);

nlohmann::json probe_options_json(const ProbeOptions& options);

} // namespace faultline::diag
