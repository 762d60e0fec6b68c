#include "diagnose/model.h"

#include "diagnose/embedded_model.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace faultline {

namespace diag {

std::map<Fault, double> XgbModel::predict(const std::vector<float>& features) const {
    std::map<Fault, double> out;
    Matrix x{features, 1, static_cast<int64_t>(features.size())};
    for (const auto& [fault, booster] : boosters) {
        const auto p = booster->predict(x);
        if (!p.empty()) out[fault] = p.front();
    }
    return out;
}

double XgbModel::threshold(Fault f) const {
    auto it = thresholds.find(f);
    return it == thresholds.end() ? 0.5 : it->second;
}

nlohmann::json probe_options_json(const ProbeOptions& o) {
    return {
        {"budget_seconds", o.budget_seconds},       {"max_steps", o.max_steps}, {"max_epochs", o.max_epochs},
        {"max_train_samples", o.max_train_samples}, {"seed", o.seed},           {"threads", o.threads}};
}

std::shared_ptr<const XgbModel>
load_model(const std::function<std::optional<std::string>(const std::string&)>& read, std::string* error) {
    auto fail = [error](const std::string& why) {
        if (error) *error = why;
        return nullptr;
    };
    const auto manifest_text = read("manifest.json");
    if (!manifest_text)
        return fail("no manifest.json: no diagnosis model has been trained yet (run faultline train)");
    auto model = std::make_shared<XgbModel>();
    try {
        model->manifest = nlohmann::json::parse(*manifest_text);
        const auto features = model->manifest.at("features").get<std::vector<std::string>>();
        if (features != feature_names())
            return fail("the diagnosis model was trained on a different feature list (" +
                        std::to_string(features.size()) + " features, this build computes " +
                        std::to_string(feature_names().size()) + "); retrain it with faultline train");
        for (const auto& entry : model->manifest.at("models")) {
            const auto fault = fault_from_string(entry.at("fault").get<std::string>());
            if (!fault)
                return fail("unknown fault type in manifest: " + entry.at("fault").get<std::string>());
            const std::string file = entry.at("file").get<std::string>();
            const auto bytes = read(file);
            if (!bytes) return fail("model file missing: " + file);
            std::string why;
            auto booster = Booster::load(bytes->data(), bytes->size(), &why);
            if (!booster) return fail(file + ": " + why);
            model->boosters[*fault] = std::move(booster);
            model->thresholds[*fault] = entry.at("threshold").get<double>();
        }
    } catch (const std::exception& e) {
        return fail(std::string("manifest.json is malformed: ") + e.what());
    }
    if (model->boosters.empty()) return fail("the diagnosis model lists no classifiers");
    return model;
}

bool save_model(const XgbModel& model, const std::string& dir, std::string* error) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    auto write = [&](const std::string& name, const std::string& bytes) {
        std::ofstream out(fs::path(dir) / name, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return static_cast<bool>(out);
    };
    for (const auto& [fault, booster] : model.boosters)
        if (!write(std::string(to_string(fault)) + ".ubj", booster->save())) {
            if (error) *error = "cannot write model files into " + dir;
            return false;
        }
    if (!write("manifest.json", model.manifest.dump(2) + "\n")) {
        if (error) *error = "cannot write " + dir + "/manifest.json";
        return false;
    }
    return true;
}

} // namespace diag

std::shared_ptr<const DiagnosisModel> DiagnosisModel::bundled(std::string* error) {
    // Loaded once: the boosters are immutable after loading and predict under their own lock. Never freed:
    // XGBoost's own globals may be gone by the time static destructors would free the boosters.
    static const auto& cached = *new auto([] {
        std::string why;
        auto model = diag::load_model(
            [](const std::string& name) -> std::optional<std::string> {
                for (size_t i = 0; i < diag::kEmbeddedModelFileCount; ++i) {
                    const auto& f = diag::kEmbeddedModelFiles[i];
                    if (name == f.name) return std::string(reinterpret_cast<const char*>(f.data), f.size);
                }
                return std::nullopt;
            },
            &why);
        return std::make_pair(std::shared_ptr<const DiagnosisModel>(model), why);
    }());
    if (!cached.first && error) *error = "no bundled diagnosis model: " + cached.second;
    return cached.first;
}

std::shared_ptr<const DiagnosisModel> DiagnosisModel::load_dir(const std::string& dir, std::string* error) {
    return diag::load_model(
        [&dir](const std::string& name) -> std::optional<std::string> {
            std::ifstream in(std::filesystem::path(dir) / name, std::ios::binary);
            if (!in) return std::nullopt;
            std::ostringstream s;
            s << in.rdbuf();
            return s.str();
        },
        error);
}

} // namespace faultline
