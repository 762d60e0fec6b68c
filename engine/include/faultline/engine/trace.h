// A probe's record of training: per-epoch series of every instrument, plus how the probe was run.
// Free of torch so that diagnosis, hover text and the server can read it without the heavy headers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace faultline {

enum class ProbeStatus { Ok, Skipped, Failed };
const char* to_string(ProbeStatus s);

struct Trace {
    ProbeStatus status = ProbeStatus::Skipped;
    std::string reason; // why skipped/failed, in one line

    // Per-epoch series keyed by instrument name. Names in use (all series have one value per simulated epoch):
    //   train_loss, train_acc, val_loss, val_acc, grad_norm_first, grad_norm_last, grad_ratio (first/last),
    //   zero_grad_share, weight_change (relative), weight_norm, weight_max, weight_mean, weight_std,
    //   saturated_share, nan_count, lr_effective
    std::map<std::string, std::vector<double>> series;
    // Flags per epoch as DeepFD's monitor raises them (AutoTrainer thresholds), same keys as in to_json:
    //   nan_loss, nan_weight, nan_grad, exploding_grad, vanishing_grad, dying_relu, saturated, unchanged_weight,
    //   large_weight, loss_not_decreasing, acc_not_increasing, oscillating_loss, constant_output
    std::map<std::string, std::vector<int>> flags;

    int64_t user_epochs = 0;      // what the script asks for
    int64_t simulated_epochs = 0; // what the probe trained
    double epoch_scale = 1.0;     // user epochs / simulated epochs (1 when exact)
    int64_t steps = 0;            // optimizer steps taken
    int64_t train_samples = 0;
    int64_t batch_size = 0;
    bool synthetic_data = true;
    std::string data_description; // "synthetic 10-class images 28x28x1, values 0..255"
    double seconds = 0.0;
    uint64_t seed = 0;
    int64_t parameters = 0;
    bool diverged = false;        // NaN/Inf seen

    // Final metrics for convenience (last value of the series, NaN if absent).
    double final_value(const std::string& series_name) const;
};

void to_json(nlohmann::json& j, const Trace& t);
void from_json(const nlohmann::json& j, Trace& t);

} // namespace faultline
