#include "probe/monitor.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace faultline::probe {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

double max_rise(const std::vector<double>& v) {
    double best = 0.0;
    for (size_t i = 0; i + 1 < v.size(); ++i)
        best = std::max(best, v[i + 1] - v[i]);
    return best;
}

// DeepFD's ol_judge: pair the local maxima and minima of a history in order and count swings of at least
// `threshold`; unstable when they make up at least `rate` of the epochs.
bool oscillates(const std::vector<double>& v, double threshold, double rate) {
    std::vector<double> peaks, troughs;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] - v[i - 1] >= 0 && v[i] - v[i + 1] >= 0) peaks.push_back(v[i]);
        if (v[i] - v[i - 1] <= 0 && v[i] - v[i + 1] <= 0) troughs.push_back(v[i]);
    }
    size_t count = 0;
    for (size_t i = 0; i < std::min(peaks.size(), troughs.size()); ++i)
        if (peaks[i] - troughs[i] >= threshold) ++count;
    return !v.empty() && static_cast<double>(count) >= rate * static_cast<double>(v.size());
}

bool finite(double v) {
    return std::isfinite(v);
}

} // namespace

Monitor::Monitor(Network& net, bool classification, double binary_threshold, int64_t total_epochs,
                 MonitorThresholds thresholds)
    : net_(net), classification_(classification), binary_threshold_(binary_threshold),
      total_epochs_(std::max<int64_t>(total_epochs, 1)), th_(thresholds) {
    for (const auto& p : net_.parameters())
        if (p.requires_grad()) params_.push_back(p);
}

torch::Tensor Monitor::flat_weights() const {
    std::vector<torch::Tensor> parts;
    for (const auto& p : params_)
        parts.push_back(p.detach().reshape(-1));
    return parts.empty() ? torch::zeros({0}) : torch::cat(parts);
}

void Monitor::begin_epoch() {
    torch::NoGradGuard no_grad;
    start_weights_ = flat_weights();
    epoch_loss_sum_ = epoch_acc_sum_ = 0.0;
    epoch_batches_ = epoch_bad_losses_ = 0;
    grads_.clear();
    layer_grad_norms_.clear();
    grad_nonfinite_ = false;
}

void Monitor::record_batch(double loss, double acc) {
    ++epoch_batches_;
    if (!finite(loss)) {
        ++epoch_bad_losses_;
        diverged_ = true;
    }
    epoch_loss_sum_ += loss;
    epoch_acc_sum_ += acc;
}

void Monitor::capture_gradients() {
    torch::NoGradGuard no_grad;
    double zeros = 0.0, total = 0.0, nonfinite = 0.0;
    for (const auto& p : params_) {
        if (!p.grad().defined()) continue;
        const auto& g = p.grad();
        zeros += static_cast<double>((g == 0).sum().item<int64_t>());
        nonfinite += static_cast<double>((~torch::isfinite(g)).sum().item<int64_t>());
        total += static_cast<double>(g.numel());
    }
    for (const auto& [index, kernel] : net_.kernels())
        layer_grad_norms_.push_back(kernel.grad().defined() ? kernel.grad().norm().item<double>() : 0.0);
    grads_["zero_grad_share"] = total > 0 ? zeros / total : kNaN;
    grads_["grad_nonfinite"] = nonfinite;
    grad_nonfinite_ = nonfinite > 0;
    if (!layer_grad_norms_.empty()) {
        double first = layer_grad_norms_.front(), last = layer_grad_norms_.back();
        grads_["grad_norm_first"] = first;
        grads_["grad_norm_last"] = last;
        grads_["grad_ratio"] =
            last > 0 ? first / last : (first > 0 ? std::numeric_limits<double>::infinity() : kNaN);
    }
}

void Monitor::end_epoch(double val_loss, double val_acc, const torch::Tensor& val_output, double lr) {
    torch::NoGradGuard no_grad;
    const double batches = static_cast<double>(std::max<int64_t>(epoch_batches_, 1));
    push("train_loss", epoch_loss_sum_ / batches);
    push("val_loss", val_loss);
    if (classification_) {
        push("train_acc", epoch_acc_sum_ / batches);
        push("val_acc", val_acc);
    }
    for (const char* name : {"grad_norm_first", "grad_norm_last", "grad_ratio", "zero_grad_share"}) {
        auto it = grads_.find(name);
        push(name, it == grads_.end() ? kNaN : it->second);
    }
    for (size_t i = 0; i < layer_grad_norms_.size(); ++i)
        push("grad_norm_layer_" + std::to_string(i), layer_grad_norms_[i]);

    // Weight statistics over every trainable value, and the change over the epoch, in one pass over a flat
    // copy (one reduction each rather than several per tensor keeps the instruments cheap).
    const torch::Tensor w = flat_weights();
    const double count = static_cast<double>(w.numel());
    torch::Tensor reduced =
        torch::stack({(~torch::isfinite(w)).sum().to(torch::kDouble), w.sum(torch::kDouble),
                      w.pow(2).sum(torch::kDouble), w.abs().max().to(torch::kDouble),
                      (w - start_weights_).pow(2).sum(torch::kDouble),
                      start_weights_.pow(2).sum(torch::kDouble)})
            .contiguous();
    const double* r = reduced.data_ptr<double>();
    const double nonfinite = r[0], sum = r[1], sq = r[2], maxabs = r[3], delta_sq = r[4], start_sq = r[5];
    int cons_mean = 0, cons_std = 0;
    std::vector<double> means, stds;
    int64_t offset = 0;
    for (const auto& p : params_) {
        const torch::Tensor slice = w.narrow(0, offset, p.numel());
        offset += p.numel();
        torch::Tensor ms = torch::stack({slice.mean(), p.numel() > 1 ? slice.std(false) : torch::zeros({})})
                               .to(torch::kDouble)
                               .contiguous();
        means.push_back(ms.data_ptr<double>()[0]);
        stds.push_back(ms.data_ptr<double>()[1]);
    }
    // DeepFD compares each weight array's mean and std with the previous epoch's for exact equality.
    if (last_means_.size() == means.size())
        for (size_t i = 0; i < means.size(); ++i) {
            cons_mean += means[i] == last_means_[i];
            cons_std += stds[i] == last_stds_[i];
        }
    last_means_ = means;
    last_stds_ = stds;
    double mean = count > 0 ? sum / count : kNaN;
    push("weight_norm", std::sqrt(sq));
    push("weight_max", maxabs);
    push("weight_mean", mean);
    push("weight_std", count > 1 ? std::sqrt(std::max(sq / count - mean * mean, 0.0)) : 0.0);
    push("weight_change", std::sqrt(delta_sq) / (std::sqrt(start_sq) + 1e-12));
    push("cons_mean_weight", cons_mean);
    push("cons_std_weight", cons_std);
    if (nonfinite > 0) diverged_ = true;

    // Saturation of bounded units on the validation rows.
    double saturated = 0.0, units = 0.0;
    for (const auto& [name, y] : net_.observer().bounded_outputs) {
        torch::Tensor hit =
            (name == "tanh" || name == "softsign") ? (y.abs() > 0.99) : ((y < 0.01) | (y > 0.99));
        saturated += static_cast<double>(hit.sum().item<int64_t>());
        units += static_cast<double>(y.numel());
    }
    net_.observer().bounded_outputs.clear();
    push("saturated_share", units > 0 ? saturated / units : 0.0);

    // What the network predicts: spread of outputs and the share of the most common predicted class.
    torch::Tensor out = val_output.dim() == 1 ? val_output.unsqueeze(1) : val_output.flatten(1);
    double spread = out.size(0) > 1 ? out.to(torch::kDouble).std(0).mean().item<double>() : 0.0;
    push("output_std", spread);
    if (classification_) {
        torch::Tensor pred =
            out.size(1) > 1 ? out.argmax(1) : (out.squeeze(1) > binary_threshold_).to(torch::kLong);
        auto counts = torch::bincount(pred);
        push("majority_share", counts.max().item<double>() / static_cast<double>(pred.numel()));
    }

    push("nan_count", static_cast<double>(epoch_bad_losses_) + nonfinite + grads_["grad_nonfinite"] +
                          (finite(val_loss) ? 0.0 : 1.0));
    push("lr_effective", lr);
    if (!finite(val_loss)) diverged_ = true;
    raise_flags(val_loss, nonfinite > 0);
}

void Monitor::raise_flags(double val_loss, bool weights_nonfinite) {
    auto& s = series_;
    const size_t epoch = s["train_loss"].size(); // 1-based count of epochs so far
    flag("nan_loss", epoch_bad_losses_ > 0 || !finite(val_loss) || val_loss >= th_.loss_explosion);
    flag("nan_weight", weights_nonfinite);
    flag("nan_grad", grad_nonfinite_);
    double ratio = s["grad_ratio"].back(), first = s["grad_norm_first"].back();
    flag("exploding_grad", finite(ratio) ? ratio > th_.beta_3 : std::isinf(ratio));
    flag("vanishing_grad", ratio < th_.beta_1 && first < th_.beta_2);
    flag("dying_relu", s["zero_grad_share"].back() >= th_.gamma);
    flag("saturated", s["saturated_share"].back() >= th_.saturated);
    flag("unchanged_weight", s["weight_change"].back() < th_.unchanged);
    flag("large_weight", s["weight_max"].back() > th_.large_weight);
    flag("cons_mean_weight", s["cons_mean_weight"].back() > 0);
    flag("cons_std_weight", s["cons_std_weight"].back() > 0);
    double spread = s["output_std"].back();
    bool constant = spread < 1e-6 || (classification_ && s["majority_share"].back() >= 1.0);
    flag("constant_output", constant);

    // Checks on the loss and accuracy history, from DeepFD's loss_issue: only once a share of the epochs ran.
    const bool judged = static_cast<double>(epoch) >= th_.judgment_point * static_cast<double>(total_epochs_);
    const auto& loss = s["train_loss"];
    const auto& vloss = s["val_loss"];
    bool increase = judged && epoch > 1 && loss[epoch - 1] > loss[epoch - 2];
    flag("loss_not_decreasing", increase);
    int not_converge = 0, slow = 0, not_well = 0, decrease = 0, unstable = 0;
    if (classification_) {
        const auto& acc = s["train_acc"];
        const auto& vacc = s["val_acc"];
        if (judged) {
            double tr = acc.back(), va = vacc.back();
            not_well = (tr <= 0.9 && tr - va >= 0.1) || (tr > 0.9 && tr - va >= 0.07);
            not_converge = *std::max_element(acc.begin(), acc.end()) < th_.theta ||
                           *std::max_element(vacc.begin(), vacc.end()) < th_.theta;
            slow = max_rise(acc) < th_.delta && max_rise(vacc) < th_.delta;
            decrease = epoch > 1 && acc[epoch - 1] < acc[epoch - 2];
            unstable = oscillates(acc, th_.zeta, th_.eta);
        }
    } else if (judged && !loss.empty() && finite(loss.front()) && loss.front() != 0.0) {
        // Regression has no accuracy: the same swing test on the loss relative to its first value.
        std::vector<double> rel;
        for (double v : loss)
            rel.push_back(-v / std::abs(loss.front()));
        unstable = oscillates(rel, th_.zeta, th_.eta);
    }
    flag("acc_not_increasing", decrease);
    flag("oscillating_loss", unstable);
    flag("not_converge", not_converge);
    flag("slow_convergence", slow);
    flag("test_not_well", not_well);
    // Epochs in a row (counting back from this one) where train loss fell and validation loss rose.
    int turned = 0;
    if (judged)
        for (size_t i = epoch - 1; i >= 1; --i) {
            if (loss[i] - loss[i - 1] < -th_.loss_epsilon && vloss[i] - vloss[i - 1] > th_.loss_epsilon)
                ++turned;
            else
                break;
        }
    flag("test_turn_bad", turned);
}

double Monitor::last(const std::string& name) const {
    auto it = series_.find(name);
    return it == series_.end() || it->second.empty() ? kNaN : it->second.back();
}

void Monitor::finish(Trace& trace) {
    trace.series = std::move(series_);
    trace.flags = std::move(flags_);
    trace.diverged = diverged_;
}

} // namespace faultline::probe
