// What diagnosis needs to know about a TrainingProgram, read once: the output layer, the task, the loss
// family, the learning rate as the framework would resolve it. Shared by the features and the messages.
#pragma once

#include "faultline/parser/program.h"

#include <string>

namespace faultline::diag {

enum class LossFamily { Probabilistic, Regression, Hinge, Other, Unknown };
enum class TaskKind { Binary, Multiclass, Regression, Unknown };

struct ProgramFacts {
    std::string loss; // canonical loss name or ""
    LossFamily loss_family = LossFamily::Unknown;
    bool from_logits = false;
    std::string output_activation; // activation applied to the last layer's output, "linear" when none
    double output_units = 0;       // width of the last layer with units, 0 when unknown
    std::string optimizer;         // canonical name or ""
    double lr = 0;                 // written value, else the framework default, 0 when unknown
    bool lr_written = false;
    double epochs = 0;
    double batch_size = 0;
    double samples = 0;
    TaskKind task = TaskKind::Unknown;
    double classes = 0;
    int depth = 0; // layers with weights
    int dense = 0, conv = 0, recurrent = 0, embedding = 0;
    double hidden_relu = 0, hidden_saturating = 0, hidden_linear = 0; // share of hidden activations
    std::string initializer; // the first explicit kernel initializer, "" for the default
    double scaled = -1;      // 1 scaled, 0 not, -1 unknown
    double input_max = 0;    // 0 when unknown
};

ProgramFacts read_facts(const TrainingProgram& program);
LossFamily loss_family(const std::string& loss);
// The learning rate an optimizer takes when none is written, per framework.
double default_lr(const std::string& optimizer, Framework framework);

} // namespace faultline::diag
