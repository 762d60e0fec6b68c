// The steps of `faultline train` and what they share: the command's options, the corpus file's lines and how
// a probed program is judged against its base. train.cpp parses the options and runs the steps;
// train_corpus.cpp generates and probes the corpus; train_models.cpp labels it and trains the classifiers;
// corpus_lines.cpp reads the corpus file.
#pragma once

#include "faultline/engine/train.h"
#include "faultline/parser/program.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace faultline::train_steps {

using json = nlohmann::json;

inline constexpr int kSeedsPerProgram = 3;
// Accuracy differences below these are treated as noise when labelling (see labelling.cpp).
inline constexpr double kNoiseFloor = 0.02;
inline constexpr double kMinDifference = 0.03;
// A classification base whose probe ends less than this far above chance accuracy learned nothing: none of
// its mutants can be measurably worse, so its labels would call every seeded fault harmless.
inline constexpr double kLearnedMargin = 0.10;
// The status of a corpus line that records a multi-fault slot its base could not fill (corpus_compose.cpp).
inline constexpr const char* kNotComposed = "not_composed";

struct TrainArgs {
    std::string corpus;
    std::string out;
    int jobs = 1;
    uint64_t seed = 1;
    int64_t size = 4000; // planned; about 88% are probed (the rest are multi-fault slots not composed)
    bool train_only = false;
    std::string labels_out; // --labels FILE: write each program's measured labels and split, do not train
    std::string cv_out;     // --cv-out FILE: each program's cross-validated probabilities, for error analysis
};

// ---------------------------------------------------------------------- the corpus file (corpus_lines.cpp)

const char* task_name(corpus::Task t);
corpus::Task task_from(const std::string& s);
double elapsed(std::chrono::steady_clock::time_point since);

// The corpus file's lines by program id; a later line for the same id replaces an earlier one.
using Lines = std::map<std::string, json>;
Lines read_lines(const std::string& corpus_file);
const json* find_line(const Lines& lines, const std::string& id);

bool probed_ok(const json* line);
// Whether `worse` is measurably worse than `better` over the seeds (labelling.cpp).
bool measurably_worse(const json& better, const json& worse);
// Whether a base program learned its probe's task: classification must end at least kLearnedMargin above
// chance accuracy (1 / classes). Regression has no chance level and always counts.
bool base_learned(const json& line, const TrainingProgram& program);

// ------------------------------------------------------------------------------------------------ the steps

// Generates and probes the corpus in `corpus_file`, resuming what is recorded (train_corpus.cpp).
bool generate(const TrainArgs& args, const std::string& corpus_file);
// Writes each program's labels and split to args.labels_out (train_models.cpp). Returns the exit code.
int write_labels(const TrainArgs& args, const std::string& corpus_file);
// Labels the corpus, trains and evaluates the classifiers and writes the model (train_models.cpp).
int train_models(const TrainArgs& args, const std::string& corpus_file);

} // namespace faultline::train_steps
