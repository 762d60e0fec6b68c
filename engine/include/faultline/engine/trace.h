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

    // Per-epoch series keyed by instrument name. Names in use (all series have one value per simulated
    // epoch):
    //   train_loss, train_acc, val_loss, val_acc, grad_norm_first, grad_norm_last, grad_ratio (first/last),
    //   zero_grad_share, weight_change (relative), weight_norm, weight_max, weight_mean, weight_std,
    //   saturated_share, nan_count, lr_effective
    // Added by the probe:
    //   grad_norm_layer_<i>  kernel-gradient norm of the i-th weighted layer (0 = first), as AutoTrainer's
    //                        norm_kernel list; gradients are those of the epoch's last training step
    //   cons_mean_weight, cons_std_weight  number of weight tensors whose mean / std equals last epoch's
    //   exactly output_std           spread of the network's outputs over the validation rows (mean std per
    //   unit) majority_share       classification: share of validation rows given the most common predicted
    //   class
    // train_acc / val_acc / majority_share are absent for regression. train_loss and train_acc are means over
    // the epoch's batches (as Keras reports them); val_* are measured after the epoch.
    std::map<std::string, std::vector<double>> series;
    // Flags per epoch as DeepFD's monitor raises them (AutoTrainer thresholds), same keys as in to_json:
    //   nan_loss, nan_weight, nan_grad, exploding_grad, vanishing_grad, dying_relu, saturated,
    //   unchanged_weight, large_weight, loss_not_decreasing, acc_not_increasing, oscillating_loss,
    //   constant_output
    // Meanings (thresholds and sources in engine/src/probe/monitor.h):
    //   loss_not_decreasing = DeepFD increase_loss (train loss above last epoch's); acc_not_increasing =
    //   DeepFD decrease_acc; oscillating_loss = DeepFD unstable_loss (its ol_judge runs on the accuracy
    //   history; on the relative loss for regression); unchanged_weight = relative change < 1e-6;
    //   constant_output = output_std < 1e-6 or every validation row predicted as one class.
    // Added by the probe, from DeepFD's monitor: not_converge, slow_convergence (sc_accuracy), test_not_well,
    //   test_turn_bad (a count: epochs in a row with train loss down and validation loss up),
    //   cons_mean_weight, cons_std_weight. The loss-history flags stay 0 before 30% of the epochs (DeepFD's
    //   judgment point).
    std::map<std::string, std::vector<int>> flags;

    int64_t user_epochs = 0; // what the script asks for
    int64_t user_updates =
        0; // the script's weight updates (epochs x batches per epoch, or steps); 0: unknown
    int64_t simulated_epochs = 0; // what the probe trained
    double epoch_scale = 1.0;     // user epochs / simulated epochs (1 when exact)
    int64_t steps = 0;            // optimizer steps taken
    int64_t train_samples = 0;
    int64_t batch_size = 0;
    bool synthetic_data = true;
    std::string data_description; // "synthetic 10-class images 28x28x1, values 0..255"
    double seconds = 0.0;
    // The cost model's estimate of the training's seconds (planned steps x estimated step time): unlike
    // `seconds` it does not depend on the machine's load, so budgets that share time between several probes
    // (fix validation, what-if) are charged in it.
    double planned_seconds = 0.0;
    uint64_t seed = 0;
    int64_t parameters = 0;
    bool diverged = false; // NaN/Inf seen
    // How the probe departed from the script, in short sentences ("each simulated epoch runs 30 of 63
    // batches", "stopped by the time budget after 4 of 10 epochs", unknown initializer names, ...).
    std::vector<std::string> notes;

    // Final metrics for convenience (last value of the series, NaN if absent).
    double final_value(const std::string& series_name) const;
};

void to_json(nlohmann::json& j, const Trace& t);
void from_json(const nlohmann::json& j, Trace& t);

} // namespace faultline
