// Diagnosis: from a probe Trace (and the program's static shape) to fault types with probabilities, using
// classifiers trained on programs with seeded faults (the DeepFD approach), then localized to statements.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/probe.h"
#include "faultline/engine/trace.h"
#include "faultline/parser/program.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faultline {

// The fault types the classifiers predict.
const std::vector<Fault>& diagnosed_faults();

// Feature vector: DeepFD's statistics of each monitor series, final metrics, and static program features.
const std::vector<std::string>& feature_names();
std::vector<float> extract_features(const TrainingProgram& program, const Trace& trace);

class DiagnosisModel {
public:
    // The model bundled into the binary at build time (trained by `faultline train`). Returns nullptr with
    // `error` set when none is bundled or it does not load.
    static std::shared_ptr<const DiagnosisModel> bundled(std::string* error = nullptr);
    static std::shared_ptr<const DiagnosisModel> load_dir(const std::string& dir,
                                                          std::string* error = nullptr);
    virtual ~DiagnosisModel() = default;
    // Probability per fault type.
    virtual std::map<Fault, double> predict(const std::vector<float>& features) const = 0;
    virtual double threshold(Fault f) const = 0;
};

// The probe options the bundled model was trained with. Diagnosis features depend on them (series length,
// sample count), so the pipeline must probe with these before calling diagnose().
ProbeOptions diagnosis_probe_options();

// Stable finding code per diagnosed type: FL201 opt, FL202 lr, FL203 act, FL204 loss, FL205 epoch,
// FL206 batch_size, FL207 data_preprocessing, FL208 weight_init, FL209 hidden_activation; "FL299" for any
// other type.
const char* diagnosis_code(Fault f);

// Findings for every fault type whose probability passes its threshold, each at the statement that sets it.
// None when the trace was probed beyond diagnosis_probe_options() (features outside what the model was
// trained on): probe with those options first.
std::vector<Finding> diagnose(const TrainingProgram& program, const Trace& trace,
                              const DiagnosisModel& model);

} // namespace faultline
