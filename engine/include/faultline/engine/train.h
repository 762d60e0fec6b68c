// `faultline train`: generate a corpus of correct programs and seeded-fault mutants, probe and label each by
// its measured effect, train the per-type classifiers, and evaluate them on held-out base programs.
//
// The corpus types are public so that tests can check the generator and the mutation operators one by one.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/engine/trace.h"

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace faultline {

// Entry point of `faultline train --corpus DIR [--jobs N] [--seed S] [--size N] [--out DIR]`.
// Returns the process exit code; progress and the held-out evaluation go to stderr.
int run_train(const std::vector<std::string>& args);

namespace corpus {

enum class Flavour { Keras, PyTorch };
enum class Shape { Mlp, Cnn, Rnn };
enum class Task { Binary, Multiclass, Regression };

// One hidden layer as the generator writes it. kind: Dense, Conv2D, MaxPooling2D, Flatten, Dropout,
// Embedding, LSTM, GRU. units: Dense units, Conv filters, RNN units, Embedding output size; rate for Dropout
// is stored in `rate`.
struct HiddenLayer {
    std::string kind;
    int64_t units = 0;
    std::string activation; // empty for layers that take none
    double rate = 0.0;
};

// Everything a generated training program sets. The source text is rendered from this alone.
struct ProgramConfig {
    std::string id; // "b00042" for a base, "b00042-m3" for its third mutant
    Flavour flavour = Flavour::Keras;
    Shape shape = Shape::Mlp;
    Task task = Task::Multiclass;
    // random (np.random features), mnist, fashion_mnist, cifar10, imdb, reuters, boston_housing
    std::string dataset = "random";
    int64_t samples = 1000;
    int64_t features = 20;  // input width for random data; sequence length for imdb/reuters
    int64_t vocabulary = 0; // imdb/reuters num_words
    int64_t classes = 2;
    std::vector<HiddenLayer> hidden;
    int64_t output_units = 1;
    std::string output_activation = "sigmoid";
    std::string loss = "binary_crossentropy";
    std::string optimizer = "adam";
    double lr = 0.001;
    int64_t epochs = 10;
    int64_t batch_size = 32;
    std::string kernel_initializer; // empty: the framework's default
    bool scaled = true;    // inputs scaled to a small range before training (where the data needs it)
    double momentum = 0.0; // SGD only
    // Style only: `Dense(64)` + `Activation('relu')` instead of `Dense(64, activation='relu')` (Keras).
    bool separate_activations = false;
    // compile(optimizer='adam'): the optimizer's default learning rate, as many real scripts have it (Keras).
    bool optimizer_as_string = false;

    std::vector<Fault> seeded;          // fault types seeded into this program (empty for a base)
    std::vector<std::string> mutations; // one line per applied operator, e.g. "lr 0.01 -> 3"
};

// A correct base program, drawn deterministically from (seed, index).
ProgramConfig make_base(uint64_t seed, int64_t index);

// Python source for the program, in its flavour's idiom.
std::string render(const ProgramConfig& config);

enum class Operator {
    LossFamily,       // loss swapped between the probabilistic and the regression family (DeepFD)
    LrHigh,           // lr set to 1..10 (DeepFD)
    LrTiny,           // lr set to 1e-10..1e-16 (DeepFD)
    LrMild,           // lr multiplied or divided by 10..100
    EpochsDivide,     // epochs divided by 10..50 (DeepFD)
    EpochsFew,        // epochs cut to a third or less of what the task needs
    OptimizerSwap,    // optimizer swapped among SGD, RMSprop, Adam, Adadelta, Adagrad (DeepFD)
    LastActivation,   // the last layer's activation swapped among DeepFD's nine
    HiddenActivation, // every hidden activation replaced by one saturating or linear activation
    BatchSize,        // batch size set to 1..2 or to the whole training set
    WeightInit,       // kernel initializer set to zeros, ones or a huge random normal
    DropScaling,      // input scaling removed (data_preprocessing)
};
const std::vector<Operator>& all_operators();
const char* to_string(Operator op);
Fault fault_of(Operator op);

// Applies `op` to `config`, appending its fault to `seeded` and a description to `mutations`. Returns false
// (config unchanged) when the operator does not apply (DropScaling on data that needs no scaling, or a swap
// that would change nothing).
bool apply(Operator op, ProgramConfig& config, std::mt19937_64& rng);

// The mutants of one base: two thirds with a single fault, the rest with two or three. An optimizer swap and
// a learning-rate operator never go into one mutant: both rewrite the optimizer statement, and the new rate
// would erase what the swap changed (the swap keeps the script's rate on purpose). The multi-fault mutants
// drawn here are slots: the corpus replaces each with a composition of measured single faults
// (compose_multi_faults), and only the number of faults drawn for the slot survives.
std::vector<ProgramConfig> make_mutants(const ProgramConfig& base, uint64_t seed, int64_t count);

// Whether a planned mutant is a multi-fault slot (more than one operator applied).
bool is_multi_fault(const ProgramConfig& mutant);

// The multi-fault mutants of a corpus, built as DeepFD built its own (seed_all.py in its artifact): by
// combining single faults of the same base that were each measured faulty on their own, at most one per fault
// type. Without this a multi-fault mutant labels a harmless fault (most optimizer swaps) faulty because
// another fault beside it did the harm, and no trace can teach that label.
//
// For each multi-fault slot of `plan` (in plan order), 2 or 3 of its base's single-fault mutants for which
// `measured_faulty(id)` holds are drawn (as many as the slot was drawn with, fewer when the base has fewer),
// with distinct fault types, never an optimizer swap beside a learning-rate change, and never a combination
// another slot of the base already took. The composition is the base with each drawn single's settings, under
// the slot's id; its mutation lines and seeded types are the singles'. Deterministic for (plan, seed, the
// measured answers). A slot whose base has fewer than two compatible faulty singles left is not composed.
struct Composition {
    std::vector<ProgramConfig> composed;
    std::vector<std::string> not_composed; // slot ids
};
Composition compose_multi_faults(const std::vector<ProgramConfig>& plan,
                                 const std::function<bool(const std::string& id)>& measured_faulty,
                                 uint64_t seed);

// The fault types of a corpus line, read from its mutation lines ("lr_tiny: 0.01 -> 1e-12") through each
// operator's current fault, so a corpus probed before a type was split off is labelled with today's types;
// the stored `seeded` names when there are no mutation lines.
std::vector<Fault> seeded_faults(const std::vector<std::string>& mutations,
                                 const std::vector<std::string>& seeded);

// Mutants drawn per base by `faultline train`. Twelve singles and slots give each base enough single faults
// measured faulty for its multi-fault slots to be composed from (a third of the draws are slots, and a slot
// needs two faulty singles of compatible types that no other slot took).
constexpr int64_t kMutantsPerBase = 12;

// The programs of a corpus in generation order: each base followed by its mutants, until `size` programs.
std::vector<ProgramConfig> plan_corpus(uint64_t seed, int64_t size, int64_t mutants_per_base);

// A program recorded in a corpus file: its id and the source it was probed with (empty when the line has
// none, as when probing threw before the source was stored).
struct RecordedProgram {
    std::string id;
    std::string source;
    std::string
        probe_options; // the probe options it was probed with, as compact JSON; empty in older corpora
};

// The programs already recorded in a corpus file (one JSON object per line, with "id"), in file order. Lines
// cut short by an interruption are ignored, so those programs are probed again.
std::vector<RecordedProgram> recorded_programs(const std::string& corpus_file);

// The programs of `plan` that need a probe: those not recorded, and those recorded with another source (the
// generator or the mutation plan changed since) or with other probe options than `probe_options` (compact
// JSON, as recorded), whose traces the classifiers would not be trained on alike. The new line is appended
// and read in place of the old one, the last line of an id being the one that counts. `stale` receives how
// many are of the second kind. A change inside the probe's code that keeps its options is not seen here:
// such a change needs a new corpus directory.
std::vector<const ProgramConfig*> programs_to_probe(const std::vector<ProgramConfig>& plan,
                                                    const std::vector<RecordedProgram>& recorded,
                                                    const std::string& probe_options, size_t* stale);

// Welch's t-test (one-sided, "mutant lower than base") with Cohen's d on per-seed outcomes.
struct EffectTest {
    double mean_base = 0.0;
    double mean_mutant = 0.0;
    double t = 0.0;
    double df = 0.0;
    double p = 1.0; // one-sided
    double d = 0.0; // Cohen's d, positive when the mutant is worse
    bool significant = false;
};
// `noise_floor` is the smallest standard deviation assumed for either side (seeds can agree exactly).
EffectTest welch_worse(const std::vector<double>& base, const std::vector<double>& mutant, double noise_floor,
                       double min_difference);

// The outcome used for labelling: higher is better. Classification: final validation accuracy (train accuracy
// when there is no validation series); regression, or a classification the probe recorded no accuracy for:
// minus log10 of the final validation error (the probe's "val_mse" when recorded, else the validation loss).
// A diverged or failed trace scores lowest.
double outcome(const Trace& trace, Task task);

} // namespace corpus
} // namespace faultline
