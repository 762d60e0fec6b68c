// The check families; each adds its findings to the context. run_static_checks calls them all.
#pragma once

#include "rules/check_context.h"

namespace faultline::rules {

void check_loss_against_output(CheckContext& ctx); // FL101-FL108
void check_output_activation(CheckContext& ctx);   // FL111-FL115
void check_hidden_layers(CheckContext& ctx);       // FL121-FL122
void check_learning_rate(CheckContext& ctx);       // FL131-FL132
void check_epochs_and_batch(CheckContext& ctx);    // FL141-FL142
void check_data(CheckContext& ctx);                // FL151-FL154
void check_numerics(CheckContext& ctx);            // FL100, FL135
void check_training_loop(CheckContext& ctx);       // FL161-FL164

} // namespace faultline::rules
