// Optimizers with the script's framework semantics. Keras' update rules (time decay lr / (1 + decay * t),
// velocity-form momentum, epsilon placement and defaults) differ from torch's, and LibTorch 1.13 lacks
// Adadelta, Adamax and Nadam: those are written here as torch::optim::Optimizer subclasses.
#pragma once

#include "faultline/parser/program.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace faultline::probe {

struct StepRuleOptions : public torch::optim::OptimizerCloneableOptions<StepRuleOptions> {
    TORCH_ARG(double, lr) = 0.01;
    TORCH_ARG(double, decay) = 0.0;    // Keras time decay: lr / (1 + decay * iterations)
    TORCH_ARG(double, momentum) = 0.0; // SGD
    TORCH_ARG(bool, nesterov) = false; // SGD
    TORCH_ARG(double, beta1) = 0.9;    // Adam, Adamax, Nadam
    TORCH_ARG(double, beta2) = 0.999;  // Adam, Adamax, Nadam
    TORCH_ARG(double, rho) = 0.9;      // RMSprop, Adadelta
    TORCH_ARG(double, eps) = 1e-7;
    TORCH_ARG(bool, eps_inside_sqrt) = false;     // RMSprop: TF1's kernel adds epsilon under the root
    TORCH_ARG(bool, eps_in_max) = false;          // Adamax: torch adds epsilon to |g| inside the max
    TORCH_ARG(double, initial_accumulator) = 0.0; // RMSprop, Adagrad (TF1 and tf.keras start above zero)
    TORCH_ARG(double, weight_decay) = 0.0;        // L2 added to the gradient (PyTorch's weight_decay)
    TORCH_ARG(double, schedule_decay) = 0.004;    // Nadam's momentum schedule

public:
    double get_lr() const override { return lr(); }
    void set_lr(const double value) override { lr(value); }
};

struct StepRuleState : public torch::optim::OptimizerCloneableParamState<StepRuleState> {
    TORCH_ARG(int64_t, step) = 0;
    TORCH_ARG(torch::Tensor, first);           // velocity, first moment, or accumulator
    TORCH_ARG(torch::Tensor, second);          // second moment, or Adadelta's accumulated updates
    TORCH_ARG(double, momentum_product) = 1.0; // Nadam's m_schedule
};

// Shared driver: keeps the iteration count, applies time decay and weight decay, and hands each parameter to
// the rule.
class StepRuleOptimizer : public torch::optim::Optimizer {
public:
    StepRuleOptimizer(std::vector<torch::Tensor> params, const StepRuleOptions& options);
    torch::Tensor step(LossClosure closure = nullptr) override;
    // The learning rate the next step uses (after time decay).
    double current_lr() const;
    int64_t iterations() const { return iterations_; }

protected:
    // Updates p in place (no grad). `t` counts from 1.
    virtual void apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                       double lr, int64_t t) = 0;

private:
    int64_t iterations_ = 0;
};

#define FAULTLINE_STEP_RULE(Name)                                                                            \
    class Name : public StepRuleOptimizer {                                                                  \
    public:                                                                                                  \
        using StepRuleOptimizer::StepRuleOptimizer;                                                          \
                                                                                                             \
    protected:                                                                                               \
        void apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,     \
                   double lr, int64_t t) override;                                                           \
    }

FAULTLINE_STEP_RULE(KerasSGD);     // v = m v - lr g; p += v (Nesterov: p += m v - lr g)
FAULTLINE_STEP_RULE(KerasAdam);    // epsilon added after the bias-corrected step size
FAULTLINE_STEP_RULE(KerasRMSprop); // a = rho a + (1 - rho) g^2; p -= lr g / (sqrt(a) + eps)
FAULTLINE_STEP_RULE(KerasAdagrad); // a += g^2; p -= lr g / (sqrt(a) + eps)
FAULTLINE_STEP_RULE(Adadelta);
FAULTLINE_STEP_RULE(Adamax);
FAULTLINE_STEP_RULE(Nadam);

#undef FAULTLINE_STEP_RULE

struct BuiltOptimizer {
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::string name;  // canonical name used
    double lr = 0.0;   // base learning rate
    std::string error; // set when the optimizer cannot be rebuilt
};

// The script's optimizer with the framework's defaults for anything it leaves out.
BuiltOptimizer make_optimizer(const TrainingProgram& program, const std::vector<torch::Tensor>& params);

// The learning rate the next step will use.
double effective_lr(const torch::optim::Optimizer& optimizer);

} // namespace faultline::probe
