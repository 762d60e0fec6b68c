#include "faultline/engine/rules.h"
#include "rules/checks.h"

#include <algorithm>
#include <tuple>

namespace faultline {

std::vector<Finding> run_static_checks(const TrainingProgram& program, const CheckOptions& options) {
    std::vector<Finding> out;
    rules::CheckContext ctx(program, options, out);
    rules::check_loss_against_output(ctx);
    rules::check_output_activation(ctx);
    rules::check_hidden_layers(ctx);
    rules::check_learning_rate(ctx);
    rules::check_epochs_and_batch(ctx);
    rules::check_data(ctx);
    rules::check_numerics(ctx);
    rules::check_training_loop(ctx);
    std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.range.start_byte, a.code) < std::tie(b.range.start_byte, b.code);
    });
    return out;
}

} // namespace faultline
