// The instruments: per-epoch raw values (loss, accuracy, gradient norms, zero gradients, weight statistics,
// saturation, ...) and the flags DeepFD's monitor raises from them with AutoTrainer's thresholds.
#pragma once

#include "faultline/engine/trace.h"
#include "probe/network.h"

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace faultline::probe {

// AutoTrainer's default monitor parameters, as DeepFD uses them (DeepFD CodeBook/Config.py `params`; the
// checks are in DeepFD CodeBook/Callbacks/Monitor.py and AutoTrainer utils/monitor.py):
struct MonitorThresholds {
    double beta_1 = 1e-3; // vanishing: first/last layer kernel-gradient norm ratio below this ...
    double beta_2 = 1e-4; // ... and the first layer's kernel-gradient norm below this
    double beta_3 = 70;   // exploding: first/last kernel-gradient norm ratio above this
    double gamma = 0.7;   // dying ReLU: share of exactly-zero gradient entries at or above this
    double zeta = 0.03;   // unstable: a peak-to-trough swing of accuracy at least this large ...
    double eta = 0.2;     // ... in at least this share of the epochs
    double delta = 0.01;  // slow convergence: no epoch improves train and val accuracy by this much
    double theta = 0.6;   // not converging: best train or val accuracy below this
    // Fixed in DeepFD's code rather than in params:
    double large_weight = 5.0;   // weights_issue(threshold_large=5)
    double loss_explosion = 1e5; // loss_issue: val loss at or above this counts as NaN loss
    double judgment_point = 0.3; // loss-history checks start after this share of the epochs
    double loss_epsilon = 1e-2;  // loss_issue(epsilon=10e-3): a loss move smaller than this is no move
    // The probe's own (no published counterpart):
    double saturated = 0.7;  // saturated: share of bounded units within 1% of their limits, as gamma
    double unchanged = 1e-6; // unchanged weights: relative change over an epoch below this
};

class Monitor {
public:
    // `binary_threshold` splits a one-unit output into two predicted classes (0.5, or 0 for logits).
    Monitor(Network& net, bool classification, double binary_threshold, int64_t total_epochs,
            MonitorThresholds thresholds = {});

    // Snapshot of the weights the epoch starts from.
    void begin_epoch();
    void record_batch(double loss, double acc);
    // Call after backward() and before the optimizer step of the step whose gradients stand for the epoch.
    void capture_gradients();
    // `val_output`: the network's output on the validation rows, computed with the observer enabled.
    void end_epoch(double val_loss, double val_acc, const torch::Tensor& val_output, double lr);

    bool diverged() const { return diverged_; }
    double last(const std::string& series) const;
    // Moves the series and flags into the trace.
    void finish(Trace& trace);

private:
    Network& net_;
    bool classification_;
    double binary_threshold_;
    int64_t total_epochs_;
    MonitorThresholds th_;
    std::vector<torch::Tensor> params_;
    torch::Tensor start_weights_; // flat copy of every trainable value at the start of the epoch
    std::vector<double> last_means_, last_stds_;
    double epoch_loss_sum_ = 0.0, epoch_acc_sum_ = 0.0;
    int64_t epoch_batches_ = 0, epoch_bad_losses_ = 0;
    std::map<std::string, double> grads_; // captured gradient statistics of this epoch
    std::vector<double> layer_grad_norms_;
    bool grad_nonfinite_ = false;
    bool diverged_ = false;
    std::map<std::string, std::vector<double>> series_;
    std::map<std::string, std::vector<int>> flags_;

    torch::Tensor flat_weights() const;
    void push(const std::string& name, double v) { series_[name].push_back(v); }
    void flag(const std::string& name, int v) { flags_[name].push_back(v); }
    void raise_flags(double val_loss, bool weights_nonfinite);
};

} // namespace faultline::probe
