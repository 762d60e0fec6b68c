// A small RAII wrapper over XGBoost's C API for one binary classifier. The XGBoost headers stay in
// booster.cpp so that callers (and tests) need only this header.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace faultline::diag {

// Rows of features in row-major order; NaN marks a missing value.
struct Matrix {
    std::vector<float> values;
    int64_t rows = 0;
    int64_t cols = 0;
};

struct BoosterParams {
    int rounds = 200;
    int max_depth = 5;
    double eta = 0.1;
    double subsample = 0.8;
    double colsample = 0.8;
    double min_child_weight = 1.0;
    double scale_pos_weight = 1.0;
    int threads = 1;
    uint64_t seed = 0;
};

class Booster {
public:
    Booster(Booster&&) noexcept;
    Booster& operator=(Booster&&) noexcept;
    Booster(const Booster&) = delete;
    Booster& operator=(const Booster&) = delete;
    ~Booster();

    // Trains a binary:logistic model. Returns nullptr with `error` set when XGBoost refuses.
    static std::unique_ptr<Booster> train(const Matrix& x, const std::vector<float>& labels,
                                          const BoosterParams& params, std::string* error);
    // Loads a model saved by `save` (UBJSON or JSON).
    static std::unique_ptr<Booster> load(const void* data, size_t size, std::string* error);

    // UBJSON bytes of the model.
    std::string save() const;
    // Probability of the positive class per row; empty with `error` set on failure.
    std::vector<float> predict(const Matrix& x, std::string* error = nullptr) const;

private:
    explicit Booster(void* handle);
    void* handle_ = nullptr;
    mutable std::unique_ptr<std::mutex> mutex_; // XGBoost's predict caches per booster: one caller at a time
};

} // namespace faultline::diag
