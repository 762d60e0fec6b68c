#include "probe/optimizers.h"

#include "probe/task.h"

#include <cmath>

namespace faultline::probe {
namespace {

std::string key_of(const torch::Tensor& p) {
    return c10::guts::to_string(p.unsafeGetTensorImpl());
}

} // namespace

StepRuleOptimizer::StepRuleOptimizer(std::vector<torch::Tensor> params, const StepRuleOptions& options)
    : torch::optim::Optimizer({torch::optim::OptimizerParamGroup(std::move(params))},
                              std::make_unique<StepRuleOptions>(options)) {
    TORCH_CHECK(options.lr() >= 0, "Invalid learning rate: ", options.lr());
}

double StepRuleOptimizer::current_lr() const {
    const auto& o = static_cast<const StepRuleOptions&>(defaults());
    return o.lr() / (1.0 + o.decay() * static_cast<double>(iterations_));
}

torch::Tensor StepRuleOptimizer::step(LossClosure closure) {
    torch::NoGradGuard no_grad;
    torch::Tensor loss;
    if (closure) {
        torch::AutoGradMode enable_grad(true);
        loss = closure();
    }
    for (auto& group : param_groups_) {
        const auto& o = static_cast<const StepRuleOptions&>(group.options());
        double lr = o.lr() / (1.0 + o.decay() * static_cast<double>(iterations_));
        for (auto& p : group.params()) {
            if (!p.grad().defined()) continue;
            torch::Tensor g = p.grad();
            if (o.weight_decay() != 0.0) g = g + o.weight_decay() * p;
            auto& slot = state_[key_of(p)];
            if (!slot) {
                auto fresh = std::make_unique<StepRuleState>();
                fresh->first(torch::full_like(p, o.initial_accumulator()));
                fresh->second(torch::zeros_like(p));
                slot = std::move(fresh);
            }
            auto& s = static_cast<StepRuleState&>(*slot);
            s.step(s.step() + 1);
            apply(p, g, s, o, lr, s.step());
        }
    }
    ++iterations_;
    return loss;
}

void KerasSGD::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                     double lr, int64_t) {
    if (o.momentum() == 0.0) {
        p.add_(g, -lr);
        return;
    }
    torch::Tensor& v = s.first();
    v.mul_(o.momentum()).add_(g, -lr);
    if (o.nesterov())
        p.add_(v * o.momentum() - lr * g);
    else
        p.add_(v);
}

void KerasAdam::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                      double lr, int64_t t) {
    double td = static_cast<double>(t);
    double lr_t = lr * std::sqrt(1.0 - std::pow(o.beta2(), td)) / (1.0 - std::pow(o.beta1(), td));
    s.first().mul_(o.beta1()).add_(g, 1.0 - o.beta1());
    s.second().mul_(o.beta2()).addcmul_(g, g, 1.0 - o.beta2());
    p.addcdiv_(s.first(), s.second().sqrt().add_(o.eps()), -lr_t);
}

void KerasRMSprop::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                         double lr, int64_t) {
    torch::Tensor& a = s.first();
    a.mul_(o.rho()).addcmul_(g, g, 1.0 - o.rho());
    torch::Tensor denom = o.eps_inside_sqrt() ? (a + o.eps()).sqrt() : a.sqrt().add_(o.eps());
    p.addcdiv_(g, denom, -lr);
}

void KerasAdagrad::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                         double lr, int64_t) {
    torch::Tensor& a = s.first();
    a.addcmul_(g, g);
    p.addcdiv_(g, a.sqrt().add_(o.eps()), -lr);
}

void Adadelta::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                     double lr, int64_t) {
    torch::Tensor& a = s.first();  // running mean of squared gradients
    torch::Tensor& d = s.second(); // running mean of squared updates
    a.mul_(o.rho()).addcmul_(g, g, 1.0 - o.rho());
    torch::Tensor update = g * (d + o.eps()).sqrt() / (a + o.eps()).sqrt();
    p.add_(update, -lr);
    d.mul_(o.rho()).addcmul_(update, update, 1.0 - o.rho());
}

void Adamax::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                   double lr, int64_t t) {
    torch::Tensor& m = s.first();
    torch::Tensor& u = s.second();
    m.mul_(o.beta1()).add_(g, 1.0 - o.beta1());
    torch::Tensor magnitude = o.eps_in_max() ? g.abs() + o.eps() : g.abs();
    u.copy_(torch::maximum(u * o.beta2(), magnitude));
    double lr_t = lr / (1.0 - std::pow(o.beta1(), static_cast<double>(t)));
    torch::Tensor denom = o.eps_in_max() ? u : u + o.eps();
    p.addcdiv_(m, denom, -lr_t);
}

void Nadam::apply(torch::Tensor& p, const torch::Tensor& g, StepRuleState& s, const StepRuleOptions& o,
                  double lr, int64_t t) {
    double td = static_cast<double>(t);
    // Dozat's momentum schedule, as Keras and torch both compute it.
    double mu_t = o.beta1() * (1.0 - 0.5 * std::pow(0.96, td * o.schedule_decay()));
    double mu_next = o.beta1() * (1.0 - 0.5 * std::pow(0.96, (td + 1.0) * o.schedule_decay()));
    double product = s.momentum_product() * mu_t;
    double product_next = product * mu_next;
    s.momentum_product(product);
    torch::Tensor& m = s.first();
    torch::Tensor& v = s.second();
    m.mul_(o.beta1()).add_(g, 1.0 - o.beta1());
    v.mul_(o.beta2()).addcmul_(g, g, 1.0 - o.beta2());
    torch::Tensor v_hat = v / (1.0 - std::pow(o.beta2(), td));
    torch::Tensor m_bar = (1.0 - mu_t) * g / (1.0 - product) + mu_next * m / (1.0 - product_next);
    p.addcdiv_(m_bar, v_hat.sqrt().add_(o.eps()), -lr);
}

BuiltOptimizer make_optimizer(const TrainingProgram& program, const std::vector<torch::Tensor>& params) {
    BuiltOptimizer out;
    const Optimizer& spec = program.optimizer;
    const Framework fw = program.framework;
    const bool torch_fw = fw == Framework::PyTorch;
    const bool tf1 = fw == Framework::TF1;
    std::string name = spec.name.value_or(torch_fw ? "sgd" : "rmsprop");
    if (name == "momentum") name = "sgd"; // tf.train.MomentumOptimizer
    if (name == "gradientdescent") name = "sgd";
    out.name = name;
    auto fallback = default_learning_rate(fw, name);
    if (!fallback) {
        out.error = "optimizer '" + name + "' is not rebuilt by the probe";
        return out;
    }
    out.lr = spec.lr.value_or(*fallback);
    double momentum = spec.momentum.value_or(0.0);
    bool nesterov = spec.nesterov.value_or(false);
    // PyTorch's `weight_decay` and Keras' time `decay` arrive in the same field.
    double decay = torch_fw ? 0.0 : spec.decay.value_or(0.0);
    double weight_decay = torch_fw ? spec.decay.value_or(0.0) : 0.0;
    if (out.lr < 0.0) {
        out.error = "negative learning rate " + std::to_string(out.lr);
        return out;
    }

    StepRuleOptions o;
    o.lr(out.lr).decay(decay).weight_decay(weight_decay);
    if (torch_fw) {
        namespace optim = torch::optim;
        if (name == "sgd")
            out.optimizer = std::make_unique<optim::SGD>(params, optim::SGDOptions(out.lr)
                                                                     .momentum(momentum)
                                                                     .nesterov(nesterov && momentum > 0)
                                                                     .weight_decay(weight_decay));
        else if (name == "adam")
            out.optimizer =
                std::make_unique<optim::Adam>(params, optim::AdamOptions(out.lr).weight_decay(weight_decay));
        else if (name == "adamw")
            out.optimizer = std::make_unique<optim::AdamW>(
                params, optim::AdamWOptions(out.lr).weight_decay(spec.decay.value_or(0.01)));
        else if (name == "rmsprop")
            out.optimizer = std::make_unique<optim::RMSprop>(
                params, optim::RMSpropOptions(out.lr).momentum(momentum).weight_decay(weight_decay));
        else if (name == "adagrad")
            out.optimizer = std::make_unique<optim::Adagrad>(
                params, optim::AdagradOptions(out.lr).weight_decay(weight_decay));
        else if (name == "adadelta")
            out.optimizer = std::make_unique<Adadelta>(params, o.rho(0.9).eps(1e-6));
        else if (name == "adamax")
            out.optimizer = std::make_unique<Adamax>(params, o.eps(1e-8).eps_in_max(true));
        else if (name == "nadam")
            out.optimizer = std::make_unique<Nadam>(params, o.eps(1e-8));
        return out;
    }
    // Keras, tf.keras and TF1.
    if (name == "sgd") {
        if (tf1 && momentum > 0) {
            // tf.train.MomentumOptimizer accumulates gradients (a = m a + g; p -= lr a), like torch's SGD.
            out.optimizer = std::make_unique<torch::optim::SGD>(
                params, torch::optim::SGDOptions(out.lr).momentum(momentum).nesterov(nesterov));
        } else {
            out.optimizer = std::make_unique<KerasSGD>(params, o.momentum(momentum).nesterov(nesterov));
        }
    } else if (name == "adam") {
        out.optimizer = std::make_unique<KerasAdam>(params, o.eps(tf1 ? 1e-8 : 1e-7));
    } else if (name == "adamw") {
        out.optimizer = std::make_unique<torch::optim::AdamW>(
            params, torch::optim::AdamWOptions(out.lr).eps(1e-7).weight_decay(spec.decay.value_or(0.004)));
    } else if (name == "rmsprop") {
        // TF1's RMSPropOptimizer starts the mean square at 1 and adds epsilon (1e-10) under the root.
        if (tf1)
            o.rho(0.9).eps(1e-10).eps_inside_sqrt(true).initial_accumulator(1.0);
        else
            o.rho(0.9).eps(1e-7);
        out.optimizer = std::make_unique<KerasRMSprop>(params, o);
    } else if (name == "adagrad") {
        // Keras 2.2/2.3 start the accumulator at 0; tf.keras and TF1 at 0.1.
        o.eps(tf1 ? 0.0 : 1e-7).initial_accumulator(fw == Framework::Keras ? 0.0 : 0.1);
        out.optimizer = std::make_unique<KerasAdagrad>(params, o);
    } else if (name == "adadelta") {
        out.optimizer = std::make_unique<Adadelta>(params, o.rho(0.95).eps(tf1 ? 1e-8 : 1e-7));
    } else if (name == "adamax") {
        out.optimizer = std::make_unique<Adamax>(params, o.eps(1e-7));
    } else if (name == "nadam") {
        out.optimizer = std::make_unique<Nadam>(params, o.eps(1e-7));
    }
    return out;
}

double effective_lr(const torch::optim::Optimizer& optimizer) {
    if (const auto* rule = dynamic_cast<const StepRuleOptimizer*>(&optimizer)) return rule->current_lr();
    if (optimizer.param_groups().empty()) return 0.0;
    return optimizer.param_groups().front().options().get_lr();
}

} // namespace faultline::probe
