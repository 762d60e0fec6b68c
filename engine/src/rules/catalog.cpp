// The rule table: every static check's stable code, name, fault label, severity, one-line summary, and
// whether the text alone proves the fault (`true` at the end of an entry; docs/rules.md, "Severity policy").
// Codes are grouped by decade (docs/rules.md has one section per code):
//   FL10x loss against output (FL100: the loss's own arithmetic), FL11x output activation, FL12x hidden
//   layers, FL13x learning rate and optimizer, FL14x epochs and batch, FL15x data, FL16x hand-written
//   training loop.
#include "faultline/engine/rules.h"

namespace faultline {
namespace {

std::vector<RuleInfo> make_rules() {
    using F = Fault;
    using S = Severity;
    return {
        {"FL100", "unguarded-log-in-loss", F::loss, S::Warning,
         "hand-written cross-entropy takes the log of probabilities with no guard against 0", true},
        {"FL101", "categorical-ce-single-unit", F::loss, S::Error,
         "categorical cross-entropy on a 1-unit output cannot learn", true},
        {"FL102", "binary-ce-on-softmax", F::loss, S::Warning,
         "binary cross-entropy on a multi-unit softmax output (misleading accuracy)", true},
        {"FL103", "cross-entropy-on-non-probability", F::act, S::Error,
         "Keras cross-entropy expects probabilities but the output activation does not give them", true},
        {"FL104", "sparse-ce-one-hot-labels", F::loss, S::Error,
         "sparse categorical cross-entropy with one-hot labels", true},
        {"FL105", "regression-loss-on-classifier", F::loss, S::Warning,
         "mean squared/absolute error on a classifier (softmax output or class-index labels)"},
        {"FL106", "double-softmax", F::act, S::Warning, "softmax before a loss that applies softmax itself",
         true},
        {"FL107", "nll-without-log-softmax", F::act, S::Warning,
         "NLLLoss on an output that is not log_softmax", true},
        {"FL108", "bce-without-sigmoid", F::act, S::Error, "BCELoss on an output that is not a sigmoid",
         true},
        {"FL109", "cross-entropy-on-regression-target", F::loss, S::Error,
         "cross-entropy loss on real-valued regression targets", true},
        {"FL111", "softmax-single-unit", F::act, S::Error, "softmax on a single unit always outputs 1.0",
         true},
        {"FL112", "relu-output-classifier", F::act, S::Error, "relu on a classifier's output layer", true},
        {"FL113", "sigmoid-multiclass-output", F::act, S::Warning,
         "sigmoid output with categorical cross-entropy over several classes", true},
        {"FL114", "bounded-output-regression", F::act, S::Warning,
         "sigmoid/softmax output on an unbounded regression target", true},
        {"FL115", "output-width-class-count", F::layer, S::Error,
         "the output layer's width differs from the number of classes", true},
        {"FL116", "threshold-on-logits", F::act, S::Warning,
         "predictions threshold the logits of a sigmoid cross-entropy at 0.5", true},
        {"FL121", "stacked-linear-layers", F::hidden_activation, S::Warning,
         "weighted layers stacked without an activation collapse into one linear map", true},
        {"FL122", "saturating-deep-stack", F::hidden_activation, S::Warning,
         "many sigmoid/tanh hidden layers (vanishing gradients)"},
        {"FL123", "constant-kernel-initializer", F::weight_init, S::Warning,
         "hidden layer initialised with identical weights (zeros/ones/constant)", true},
        {"FL124", "softmax-hidden-layer", F::hidden_activation, S::Warning, "softmax on a hidden layer"},
        {"FL125", "redundant-activation", F::act, S::Warning,
         "an Activation layer right after a layer that already has a non-linear activation", true},
        {"FL131", "learning-rate-too-high", F::lr, S::Warning, "learning rate above the range that trains"},
        {"FL132", "learning-rate-too-low", F::lr, S::Warning, "learning rate below the range that trains"},
        {"FL135", "float16-optimizer-epsilon", F::opt, S::Warning,
         "adaptive optimizer in float16 with an epsilon float16 cannot hold", true},
        {"FL141", "too-few-updates", F::epoch, S::Warning, "too few weight updates for training to converge"},
        {"FL142", "batch-larger-than-data", F::batch_size, S::Information,
         "batch size larger than the training set"},
        {"FL151", "unscaled-input", F::data_preprocessing, S::Warning,
         "image pixels or large-valued features fed to the network unscaled", true},
        {"FL152", "categorical-ce-integer-labels", F::loss, S::Error,
         "categorical cross-entropy with integer (not one-hot) labels", true},
        {"FL153", "scaled-class-labels", F::data_preprocessing, S::Error,
         "classification labels divided or multiplied by a scaling constant", true},
        {"FL154", "unscaled-table-features", F::data_preprocessing, S::Warning,
         "features read from a file reach the network without standardization"},
        {"FL161", "missing-zero-grad", F::api, S::Warning, "training loop never clears the gradients", true},
        {"FL162", "missing-backward", F::api, S::Error, "training loop never computes gradients", true},
        {"FL163", "missing-optimizer-step", F::api, S::Error, "training loop never updates the weights",
         true},
        {"FL164", "validation-without-eval", F::api, S::Information,
         "validation runs without model.eval()/torch.no_grad()"},
    };
}

} // namespace

const std::vector<RuleInfo>& all_rules() {
    static const std::vector<RuleInfo> rules = make_rules();
    return rules;
}

} // namespace faultline
