// Findings: what the engine reports about a TrainingProgram, independent of any protocol.
#pragma once

#include "faultline/parser/source.h"

#include <optional>
#include <string>
#include <vector>

namespace faultline {

// Fault labels, as used by DeepFD (opt, lr, act, loss, epoch) and the benchmark's wider set.
enum class Fault {
    opt,
    lr,
    act,
    loss,
    epoch,
    batch_size,
    data_preprocessing,
    weight_init,
    hidden_activation, // hidden layers' activation functions (the output layer's is `act`)
    layer,
    regularization,
    tensor_shape,
    training_data,
    api,
};
const char* to_string(Fault f);
std::optional<Fault> fault_from_string(std::string_view s);

// LSP's DiagnosticSeverity numbering.
enum class Severity { Error = 1, Warning = 2, Information = 3, Hint = 4 };

// Where a finding's evidence came from. Both are kept when a static check and the probe agree.
enum class EvidenceSource { Static, Probe, Diagnosis };

struct Replacement {
    Span range;
    std::string new_text;
};

struct Fix {
    std::string title;              // "Use loss='binary_crossentropy'"
    std::vector<Replacement> edits; // minimal edits on the original text
    bool validated = false;         // probed and measured better
    std::string effect;             // "probe accuracy 0.31 -> 0.97, loss 2.30 -> 0.08" when validated
    double improvement = 0.0;       // ranking key for validated fixes
    bool preferred = false;
};

struct Finding {
    std::string code; // stable rule code, e.g. "FL101"
    Fault fault = Fault::api;
    Severity severity = Severity::Warning;
    double confidence = 1.0;                   // in [0, 1]
    std::string message;                       // one line
    std::string explanation;                   // longer markdown for hover: why, and what the evidence was
    Span range;                                // the statement that sets the faulty value
    std::vector<Span> related;                 // use sites
    std::vector<std::string> related_messages; // one per related span
    std::vector<Fix> fixes;
    std::vector<EvidenceSource> sources;
};

// Whether any of the finding's evidence came from a probe (the probe itself, diagnosis or what-if), not
// from the text alone.
bool has_probe_evidence(const Finding& f);

} // namespace faultline
