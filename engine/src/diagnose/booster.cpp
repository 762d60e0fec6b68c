#include "diagnose/booster.h"

#include <xgboost/c_api.h>

#include <limits>
#include <string>

namespace faultline::diag {

namespace {

std::string last_error(const char* what) {
    return std::string(what) + ": " + XGBGetLastError();
}

// A DMatrix that frees itself.
struct DMatrix {
    DMatrixHandle handle = nullptr;
    ~DMatrix() {
        if (handle) XGDMatrixFree(handle);
    }
};

bool make_dmatrix(const Matrix& x, DMatrix& out, std::string* error) {
    if (x.rows <= 0 || x.cols <= 0 || x.values.size() != static_cast<size_t>(x.rows * x.cols)) {
        if (error) *error = "feature matrix is empty or has the wrong size";
        return false;
    }
    if (XGDMatrixCreateFromMat(x.values.data(), static_cast<bst_ulong>(x.rows),
                               static_cast<bst_ulong>(x.cols), std::numeric_limits<float>::quiet_NaN(),
                               &out.handle) != 0) {
        if (error) *error = last_error("XGDMatrixCreateFromMat");
        return false;
    }
    return true;
}

bool set(BoosterHandle h, const char* key, const std::string& value, std::string* error) {
    if (XGBoosterSetParam(h, key, value.c_str()) == 0) return true;
    if (error) *error = last_error(key);
    return false;
}

} // namespace

Booster::Booster(void* handle) : handle_(handle), mutex_(std::make_unique<std::mutex>()) {}
Booster::Booster(Booster&& other) noexcept : handle_(other.handle_), mutex_(std::move(other.mutex_)) {
    other.handle_ = nullptr;
}
Booster& Booster::operator=(Booster&& other) noexcept {
    if (this != &other) {
        if (handle_) XGBoosterFree(handle_);
        handle_ = other.handle_;
        mutex_ = std::move(other.mutex_);
        other.handle_ = nullptr;
    }
    return *this;
}
Booster::~Booster() {
    if (handle_) XGBoosterFree(handle_);
}

std::unique_ptr<Booster> Booster::train(const Matrix& x, const std::vector<float>& labels,
                                        const BoosterParams& params, std::string* error) {
    if (labels.size() != static_cast<size_t>(x.rows)) {
        if (error) *error = "one label per row is needed";
        return nullptr;
    }
    DMatrix d;
    if (!make_dmatrix(x, d, error)) return nullptr;
    if (XGDMatrixSetFloatInfo(d.handle, "label", labels.data(), static_cast<bst_ulong>(labels.size())) != 0) {
        if (error) *error = last_error("XGDMatrixSetFloatInfo");
        return nullptr;
    }
    BoosterHandle h = nullptr;
    if (XGBoosterCreate(&d.handle, 1, &h) != 0) {
        if (error) *error = last_error("XGBoosterCreate");
        return nullptr;
    }
    std::unique_ptr<Booster> booster(new Booster(h));
    const bool ok = set(h, "objective", "binary:logistic", error) &&
                    set(h, "eval_metric", "logloss", error) && set(h, "tree_method", "hist", error) &&
                    set(h, "max_depth", std::to_string(params.max_depth), error) &&
                    set(h, "eta", std::to_string(params.eta), error) &&
                    set(h, "subsample", std::to_string(params.subsample), error) &&
                    set(h, "colsample_bytree", std::to_string(params.colsample), error) &&
                    set(h, "min_child_weight", std::to_string(params.min_child_weight), error) &&
                    set(h, "scale_pos_weight", std::to_string(params.scale_pos_weight), error) &&
                    set(h, "nthread", std::to_string(params.threads), error) &&
                    set(h, "seed", std::to_string(params.seed), error) && set(h, "verbosity", "0", error);
    if (!ok) return nullptr;
    for (int i = 0; i < params.rounds; ++i)
        if (XGBoosterUpdateOneIter(h, i, d.handle) != 0) {
            if (error) *error = last_error("XGBoosterUpdateOneIter");
            return nullptr;
        }
    return booster;
}

std::unique_ptr<Booster> Booster::load(const void* data, size_t size, std::string* error) {
    BoosterHandle h = nullptr;
    if (XGBoosterCreate(nullptr, 0, &h) != 0) {
        if (error) *error = last_error("XGBoosterCreate");
        return nullptr;
    }
    std::unique_ptr<Booster> booster(new Booster(h));
    if (XGBoosterLoadModelFromBuffer(h, data, static_cast<bst_ulong>(size)) != 0) {
        if (error) *error = last_error("XGBoosterLoadModelFromBuffer");
        return nullptr;
    }
    // Prediction is a handful of rows: more threads only cost start-up time.
    if (!set(h, "nthread", "1", error)) return nullptr;
    return booster;
}

std::string Booster::save() const {
    std::lock_guard lock(*mutex_);
    bst_ulong len = 0;
    const char* out = nullptr;
    if (XGBoosterSaveModelToBuffer(handle_, R"({"format": "ubj"})", &len, &out) != 0) return {};
    return std::string(out, len);
}

std::vector<float> Booster::predict(const Matrix& x, std::string* error) const {
    DMatrix d;
    if (!make_dmatrix(x, d, error)) return {};
    std::lock_guard lock(*mutex_);
    bst_ulong len = 0;
    const float* out = nullptr;
    if (XGBoosterPredict(handle_, d.handle, 0, 0, 0, &len, &out) != 0) {
        if (error) *error = last_error("XGBoosterPredict");
        return {};
    }
    return std::vector<float>(out, out + len);
}

} // namespace faultline::diag
