// `faultline train`: generate and probe the corpus (resumable, parallel), label it by measured effect, train
// one classifier per fault type, choose thresholds on a validation split and report held-out scores.
#include "faultline/engine/train.h"

#include "diagnose/booster.h"
#include "diagnose/model.h"
#include "diagnose/program_facts.h"
#include "faultline/engine/diagnose.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/parse.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

namespace faultline {

namespace {

using corpus::ProgramConfig;
using corpus::Task;
using json = nlohmann::json;

constexpr int kSeedsPerProgram = 3;
// Accuracy differences below these are treated as noise when labelling (see labelling.cpp).
constexpr double kNoiseFloor = 0.02;
constexpr double kMinDifference = 0.03;
// A classification base whose probe ends less than this far above chance accuracy learned nothing: none of
// its mutants can be measurably worse, so its labels would call every seeded fault harmless.
constexpr double kLearnedMargin = 0.10;
// The status of a corpus line that records a multi-fault slot its base could not fill (corpus_compose.cpp).
constexpr const char* kNotComposed = "not_composed";

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

const char* task_name(Task t) {
    return t == Task::Binary ? "binary" : t == Task::Multiclass ? "multiclass" : "regression";
}
Task task_from(const std::string& s) {
    return s == "binary" ? Task::Binary : s == "multiclass" ? Task::Multiclass : Task::Regression;
}

double elapsed(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Per-seed outcomes of a probed program (higher is better).
std::vector<double> outcomes(const json& line) {
    std::vector<double> v;
    const Task task = task_from(line.value("task", "multiclass"));
    for (const auto& t : line["traces"])
        v.push_back(corpus::outcome(t.get<Trace>(), task));
    return v;
}

bool probed_ok(const json* line) {
    return line && line->value("status", "") == "ok";
}

// Whether `worse` is measurably worse than `better` over the seeds (labelling.cpp).
bool measurably_worse(const json& better, const json& worse) {
    return corpus::welch_worse(outcomes(better), outcomes(worse), kNoiseFloor, kMinDifference).significant;
}

using Lines = std::map<std::string, json>;

Lines read_lines(const std::string& corpus_file) {
    Lines lines;
    std::ifstream in(corpus_file);
    std::string text;
    while (std::getline(in, text)) {
        auto j = json::parse(text, nullptr, false);
        if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) continue;
        // The id first: json's assignment takes its argument by value, which would empty `j` before the key
        // is read.
        const std::string id = j["id"].get<std::string>();
        lines[id] = std::move(j);
    }
    return lines;
}

const json* find_line(const Lines& lines, const std::string& id) {
    auto it = lines.find(id);
    return it == lines.end() ? nullptr : &it->second;
}

// Whether a base program learned its probe's task: classification must end at least kLearnedMargin above
// chance accuracy (1 / classes). Regression has no chance level and always counts.
bool base_learned(const json& line, const TrainingProgram& program) {
    const Task task = task_from(line.value("task", "multiclass"));
    if (task == Task::Regression) return true;
    const auto facts = diag::read_facts(program);
    const double classes = task == Task::Binary ? 2.0 : facts.classes;
    if (classes < 2) return true;
    const auto v = outcomes(line);
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(std::max<size_t>(v.size(), 1));
    return mean >= 1.0 / classes + kLearnedMargin;
}

// ------------------------------------------------------------------------------------------- generation

json probe_program(const ProgramConfig& c, const ProbeOptions& base_options) {
    json line = {{"id", c.id},
                 {"base", c.id.substr(0, c.id.find('-'))},
                 {"task", task_name(c.task)},
                 {"flavour", c.flavour == corpus::Flavour::Keras ? "keras" : "pytorch"},
                 {"mutations", c.mutations}};
    json seeded = json::array();
    for (Fault f : c.seeded)
        seeded.push_back(to_string(f));
    line["seeded"] = seeded;
    const std::string source = corpus::render(c);
    line["source"] = source;
    line["probe_options"] = diag::probe_options_json(base_options);
    const TrainingProgram program = parse_program(source);
    json traces = json::array();
    std::string failure;
    if (!program.has_model()) failure = "the parser found no model in the generated source";
    for (int k = 0; k < kSeedsPerProgram && failure.empty(); ++k) {
        ProbeOptions options = base_options;
        // The same seeds for every program: base and mutant see the same data and initial draws, so their
        // difference is the fault's, not the draw's.
        options.seed = base_options.seed + static_cast<uint64_t>(k);
        const ProbeResult r = run_probe(program, options);
        if (r.trace.status != ProbeStatus::Ok) {
            failure = "probe " + std::string(to_string(r.trace.status)) + ": " + r.trace.reason;
            break;
        }
        traces.push_back(r.trace);
    }
    line["status"] = failure.empty() ? "ok" : "failed";
    if (!failure.empty()) line["reason"] = failure;
    line["traces"] = traces;
    return line;
}

// A line cut short by an interruption must not swallow the next one appended.
void end_last_line(const std::string& corpus_file) {
    std::ifstream check(corpus_file, std::ios::binary | std::ios::ate);
    if (check && check.tellg() > 0) {
        check.seekg(-1, std::ios::end);
        char last = 0;
        check.get(last);
        if (last != '\n') std::ofstream(corpus_file, std::ios::app) << '\n';
    }
}

// Probes `todo` with `jobs` workers, appending one line per program to the corpus file as it finishes.
bool probe_configs(const std::vector<const ProgramConfig*>& todo, const std::string& corpus_file, int jobs) {
    if (todo.empty()) return true;
    end_last_line(corpus_file);
    std::ofstream out(corpus_file, std::ios::app);
    if (!out) {
        std::fprintf(stderr, "error: cannot write %s\n", corpus_file.c_str());
        return false;
    }
    const ProbeOptions options = diagnosis_probe_options();
    std::atomic<size_t> next{0};
    std::atomic<size_t> finished{0}, failed{0};
    std::mutex write_mutex;
    const auto start = std::chrono::steady_clock::now();
    auto worker = [&] {
        for (size_t i = next++; i < todo.size(); i = next++) {
            const auto t0 = std::chrono::steady_clock::now();
            json line;
            try {
                line = probe_program(*todo[i], options);
            } catch (const std::exception& e) {
                line = {{"id", todo[i]->id}, {"status", "failed"}, {"reason", e.what()}};
            }
            const bool ok = line.value("status", "") == "ok";
            std::lock_guard lock(write_mutex);
            out << line.dump() << '\n';
            out.flush();
            const size_t n = ++finished;
            if (!ok) ++failed;
            const double spent = elapsed(start);
            std::fprintf(stderr, "[%zu/%zu] %-12s %-6s %5.2fs  elapsed %.0fs  eta %.0fs%s%s\n", n,
                         todo.size(), todo[i]->id.c_str(), ok ? "ok" : "failed", elapsed(t0), spent,
                         spent / double(n) * double(todo.size() - n), ok ? "" : "  ",
                         ok ? "" : line.value("reason", "").substr(0, 100).c_str());
        }
    };
    std::vector<std::thread> threads;
    for (int j = 0; j < std::max(1, jobs); ++j)
        threads.emplace_back(worker);
    for (auto& t : threads)
        t.join();
    std::fprintf(stderr, "corpus: probed %zu programs (%zu failed) in %.0fs\n", finished.load(),
                 failed.load(), elapsed(start));
    return true;
}

// Probes the programs of `programs` not yet recorded (or recorded from another source or probe options).
bool probe_phase(const char* what, const std::vector<ProgramConfig>& programs,
                 const std::vector<std::string>& force, const TrainArgs& args,
                 const std::string& corpus_file) {
    size_t stale = 0;
    auto todo = corpus::programs_to_probe(programs, corpus::recorded_programs(corpus_file),
                                          diag::probe_options_json(diagnosis_probe_options()).dump(), &stale);
    for (const auto& c : programs)
        if (std::find(force.begin(), force.end(), c.id) != force.end() &&
            std::find(todo.begin(), todo.end(), &c) == todo.end())
            todo.push_back(&c);
    std::fprintf(stderr,
                 "corpus, %s: %zu programs planned, %zu already probed, %zu to probe with %d job(s)%s\n",
                 what, programs.size(), programs.size() - todo.size(), todo.size(), args.jobs,
                 stale ? (" (" + std::to_string(stale) +
                          " recorded with another source or other probe options: the generator or the probe "
                          "changed since, so they are probed again)")
                             .c_str()
                       : "");
    return probe_configs(todo, corpus_file, args.jobs);
}

// The corpus in two rounds: the bases and their single-fault mutants first, then the multi-fault mutants,
// composed from the single faults the first round measured faulty (corpus_compose.cpp).
bool generate(const TrainArgs& args, const std::string& corpus_file) {
    const auto plan = corpus::plan_corpus(args.seed, args.size, corpus::kMutantsPerBase);
    std::vector<ProgramConfig> first;
    for (const auto& c : plan)
        if (!corpus::is_multi_fault(c)) first.push_back(c);
    if (!probe_phase("bases and single-fault mutants", first, {}, args, corpus_file)) return false;

    const Lines lines = read_lines(corpus_file);
    std::map<std::string, bool> learned;
    auto measured_faulty = [&](const std::string& id) {
        const json* line = find_line(lines, id);
        const std::string base = id.substr(0, id.find('-'));
        const json* base_line = find_line(lines, base);
        if (!probed_ok(line) || !probed_ok(base_line)) return false;
        auto known = learned.find(base);
        if (known == learned.end())
            known = learned
                        .emplace(base, base_learned(*base_line,
                                                    parse_program((*base_line)["source"].get<std::string>())))
                        .first;
        return known->second && measurably_worse(*base_line, *line);
    };
    const auto composition = corpus::compose_multi_faults(plan, measured_faulty, args.seed);

    // A slot that cannot be composed gets a line saying so, which hides whatever an older generator recorded
    // under its id; a slot composed after such a line is probed whatever else is recorded.
    std::vector<std::string> after_mark;
    for (const auto& c : composition.composed) {
        const json* line = find_line(lines, c.id);
        if (line && line->value("status", "") == kNotComposed) after_mark.push_back(c.id);
    }
    {
        end_last_line(corpus_file);
        std::ofstream out(corpus_file, std::ios::app);
        for (const auto& id : composition.not_composed) {
            const json* line = find_line(lines, id);
            if (line && line->value("status", "") == kNotComposed) continue;
            out << json{{"id", id},
                        {"base", id.substr(0, id.find('-'))},
                        {"status", kNotComposed},
                        {"reason",
                         "its base has fewer than two compatible single faults measured faulty that "
                         "no other slot took"}}
                       .dump()
                << '\n';
        }
    }
    std::fprintf(
        stderr,
        "corpus: %zu multi-fault slots composed from measured single faults, %zu not composed (their "
        "base has too few)\n",
        composition.composed.size(), composition.not_composed.size());
    return probe_phase("multi-fault mutants", composition.composed, after_mark, args, corpus_file);
}

// --------------------------------------------------------------------------------------------- training

struct Row {
    std::vector<float> features;
    std::vector<float> labels; // one per diagnosed fault
    std::string base;
    int seed_index = 0;
    std::string id;
    size_t faults_seeded = 0; // 0 for a base
};

struct Dataset {
    std::vector<Row> rows;
    int64_t programs = 0, failed = 0, mutants = 0, effective_mutants = 0;
    int64_t not_composed = 0;    // multi-fault slots their base had too few measured single faults for
    int64_t unlearned_bases = 0; // bases dropped with their mutants: the probe learned nothing from them
    std::map<std::string, std::array<int64_t, 2>> per_fault_seeded; // seeded, labelled faulty
};

Dataset load_dataset(const std::string& corpus_file) {
    Dataset ds;
    const Lines lines = read_lines(corpus_file);
    const auto& faults = diagnosed_faults();
    std::map<std::string, bool> learned;
    // Each base is parsed once, here, and its program reused when its own row is built below.
    std::map<std::string, TrainingProgram> base_programs;
    for (const auto& [id, line] : lines)
        if (line.value("base", id) == id && probed_ok(&line)) {
            const auto& program = base_programs[id] = parse_program(line["source"].get<std::string>());
            learned[id] = base_learned(line, program);
            if (!learned[id]) ++ds.unlearned_bases;
        }
    for (const auto& [id, line] : lines) {
        if (line.value("status", "") == kNotComposed) {
            ++ds.not_composed;
            continue;
        }
        if (!probed_ok(&line)) {
            ++ds.failed;
            continue;
        }
        const std::string base = line.value("base", id);
        const json* base_line = find_line(lines, base);
        // A mutant whose base could not be probed, or learned nothing, has nothing to be compared with.
        if (!probed_ok(base_line) || !learned[base]) continue;
        std::vector<float> labels(faults.size(), 0.0f);
        const std::vector<Fault> seeded =
            base == id ? std::vector<Fault>{}
                       : corpus::seeded_faults(line.value("mutations", std::vector<std::string>{}),
                                               line.value("seeded", std::vector<std::string>{}));
        if (base != id) {
            ++ds.mutants;
            // The labelling, as DeepFD's: a mutant measurably worse than its base is faulty for every
            // type seeded into it.
            const bool worse = measurably_worse(*base_line, line);
            if (worse) ++ds.effective_mutants;
            for (Fault f : seeded) {
                auto it = std::find(faults.begin(), faults.end(), f);
                if (it == faults.end()) continue;
                auto& counts = ds.per_fault_seeded[to_string(f)];
                ++counts[0];
                if (worse) {
                    ++counts[1];
                    labels[static_cast<size_t>(it - faults.begin())] = 1.0f;
                }
            }
        }
        ++ds.programs;
        auto parsed = base_programs.find(id);
        const TrainingProgram program = parsed != base_programs.end()
                                            ? std::move(parsed->second)
                                            : parse_program(line["source"].get<std::string>());
        int k = 0;
        for (const auto& t : line["traces"]) {
            ds.rows.push_back(
                {extract_features(program, t.get<Trace>()), labels, base, k++, id, seeded.size()});
        }
    }
    return ds;
}

// Split by base program so that no base has mutants on both sides: 70% train, 10% validation, 20% test.
uint64_t hash_of(const std::string& text, uint64_t salt) {
    uint64_t h = 1469598103934665603ull ^ salt;
    for (char ch : text)
        h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    return h;
}

int split_of(const std::string& base, uint64_t seed) {
    const uint64_t bucket = hash_of(base, seed) % 10;
    return bucket < 7 ? 0 : bucket < 8 ? 1 : 2;
}

diag::Matrix to_matrix(const std::vector<const Row*>& rows) {
    diag::Matrix m;
    m.rows = static_cast<int64_t>(rows.size());
    m.cols = rows.empty() ? 0 : static_cast<int64_t>(rows.front()->features.size());
    for (const Row* r : rows)
        m.values.insert(m.values.end(), r->features.begin(), r->features.end());
    return m;
}

struct Scores {
    int64_t tp = 0, fp = 0, fn = 0, positives = 0;
    void add(bool truth, bool said) {
        positives += truth;
        tp += truth && said;
        fp += !truth && said;
        fn += truth && !said;
    }
    double precision() const { return tp + fp ? double(tp) / double(tp + fp) : 0.0; }
    double recall() const { return tp + fn ? double(tp) / double(tp + fn) : 0.0; }
    double f1() const {
        const double p = precision(), r = recall();
        return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    }
};

Scores score(const std::vector<float>& p, const std::vector<const Row*>& rows, size_t fault,
             double threshold) {
    Scores s;
    for (size_t i = 0; i < rows.size(); ++i)
        s.add(rows[i]->labels[fault] > 0.5f, p[i] >= threshold);
    return s;
}

// The labels the classifiers learn from, one JSON line per program: its id, base, split and the fault types
// it is labelled with (seeded and measurably worse than its base). For measuring other diagnosers on the same
// held-out programs (bench/corpus_alarms.py).
int write_labels(const TrainArgs& args, const std::string& corpus_file) {
    Dataset ds = load_dataset(corpus_file);
    std::ofstream out(args.labels_out);
    if (!out) {
        std::fprintf(stderr, "error: cannot write %s\n", args.labels_out.c_str());
        return 2;
    }
    const auto& faults = diagnosed_faults();
    static const char* kSplits[] = {"train", "validation", "test"};
    size_t written = 0;
    for (const Row& r : ds.rows) {
        if (r.seed_index != 0) continue;
        json labels = json::array();
        for (size_t f = 0; f < faults.size(); ++f)
            if (r.labels[f] > 0.5f) labels.push_back(to_string(faults[f]));
        out << json{{"id", r.id},
                    {"base", r.base},
                    {"split", kSplits[split_of(r.base, args.seed)]},
                    {"labels", labels}}
                   .dump()
            << "\n";
        ++written;
    }
    std::fprintf(stderr, "labels of %zu programs written to %s\n", written, args.labels_out.c_str());
    return 0;
}

// One fault type's classifier: trained on `train`, its threshold the F1-best on `val` from a coarse grid (so
// it does not chase noise).
struct Fitted {
    std::unique_ptr<diag::Booster> booster;
    double threshold = 0.5;
    double validation_f1 = 0.0;
    int64_t positives = 0;
};

// Rows with their feature matrix, built once and shared by every fault type's classifier.
struct Part {
    std::vector<const Row*> rows;
    diag::Matrix x;
    explicit Part(std::vector<const Row*> r) : rows(std::move(r)), x(to_matrix(rows)) {}
};

std::optional<Fitted> fit_type(const Part& train_part, const Part& val_part, size_t fi, const TrainArgs& args,
                               std::string* error, bool* skipped) {
    const auto& train = train_part.rows;
    const auto& val = val_part.rows;
    Fitted out;
    std::vector<float> ytrain;
    for (const Row* r : train) {
        ytrain.push_back(r->labels[fi]);
        out.positives += r->labels[fi] > 0.5f;
    }
    // Too little data is a skip, not an error: the caller says so and goes on with the other types.
    if (out.positives < 10 || val.empty()) {
        if (skipped) *skipped = true;
        if (error)
            *error = val.empty()
                         ? "no validation programs (the corpus is too small to split)"
                         : "only " + std::to_string(out.positives) + " positive training rows (10 needed)";
        return std::nullopt;
    }
    diag::BoosterParams params;
    // Faults are a minority per type: weigh positives up so probabilities are comparable across types and a
    // diagnosed fault clears 0.5 (the Warning line) rather than hiding under a low threshold.
    params.scale_pos_weight = std::max(1.0, double(static_cast<int64_t>(train.size()) - out.positives) /
                                                double(std::max<int64_t>(out.positives, 1)));
    params.threads = std::max(1, args.jobs);
    params.seed = args.seed;
    out.booster = diag::Booster::train(train_part.x, ytrain, params, error);
    if (!out.booster) return std::nullopt;
    const auto pval = out.booster->predict(val_part.x);
    out.validation_f1 = -1;
    for (double t = 0.1; t <= 0.901; t += 0.05) {
        const double f1 = score(pval, val, fi, t).f1();
        if (f1 > out.validation_f1 + 1e-9) {
            out.validation_f1 = f1;
            out.threshold = t;
        }
    }
    return out;
}

// Grouped 5-fold cross-validation: every program is scored once, by classifiers that never saw its base
// (trained on 7/8 of the other folds' bases, thresholds from the remaining 1/8). Five times the held-out
// programs of the single test split, so per-type F1 is far less at the mercy of a few dozen positives.
constexpr int kFolds = 5;

// Cross-validated scores per fault type (index into diagnosed_faults()): over every program, and apart over
// the bases with the single-fault mutants and over the mutants with several faults, where a type is labelled
// whenever the mutant as a whole trained worse (so a harmless fault beside a harmful one counts).
struct CvScores {
    std::map<size_t, Scores> all, single, multi;
};

CvScores cross_validate(const Dataset& ds, const TrainArgs& args, json* per_program) {
    CvScores total;
    const auto& faults = diagnosed_faults();
    for (int k = 0; k < kFolds; ++k) {
        std::vector<const Row*> train, val, test;
        for (const Row& r : ds.rows) {
            if (static_cast<int>(hash_of(r.base, args.seed + 101) % kFolds) == k) {
                if (r.seed_index == 0) test.push_back(&r);
            } else if (hash_of(r.base, args.seed + 202) % 8 == 0) {
                val.push_back(&r);
            } else {
                train.push_back(&r);
            }
        }
        if (test.empty()) continue;
        const auto xtest = to_matrix(test);
        const Part train_part(std::move(train)), val_part(std::move(val));
        std::vector<json> programs(per_program ? test.size() : 0);
        for (size_t i = 0; i < programs.size(); ++i)
            programs[i] = {{"id", test[i]->id}, {"fold", k}, {"scores", json::object()}};
        for (size_t fi = 0; fi < faults.size(); ++fi) {
            auto fitted = fit_type(train_part, val_part, fi, args, nullptr, nullptr);
            if (!fitted) continue;
            const auto ptest = fitted->booster->predict(xtest);
            for (size_t i = 0; i < test.size(); ++i) {
                const bool truth = test[i]->labels[fi] > 0.5f, said = ptest[i] >= fitted->threshold;
                total.all[fi].add(truth, said);
                (test[i]->faults_seeded > 1 ? total.multi[fi] : total.single[fi]).add(truth, said);
                if (per_program)
                    programs[i]["scores"][to_string(faults[fi])] = {
                        {"p", ptest[i]}, {"threshold", fitted->threshold}, {"label", truth}};
            }
        }
        if (per_program)
            for (auto& p : programs)
                per_program->push_back(std::move(p));
        std::fprintf(stderr, "cross-validation: fold %d of %d done\n", k + 1, kFolds);
    }
    return total;
}

int train_models(const TrainArgs& args, const std::string& corpus_file) {
    const auto start = std::chrono::steady_clock::now();
    Dataset ds = load_dataset(corpus_file);
    std::fprintf(
        stderr,
        "training: %lld programs probed ok (%lld failed), %lld mutants of which %lld measurably "
        "worse than their base, %zu trace rows\n"
        "          %lld bases dropped with their mutants (the probe learned nothing from them), %lld "
        "multi-fault slots not composed\n",
        static_cast<long long>(ds.programs), static_cast<long long>(ds.failed),
        static_cast<long long>(ds.mutants), static_cast<long long>(ds.effective_mutants), ds.rows.size(),
        static_cast<long long>(ds.unlearned_bases), static_cast<long long>(ds.not_composed));
    if (ds.rows.empty()) {
        std::fprintf(stderr, "error: no usable programs in %s\n", corpus_file.c_str());
        return 2;
    }
    std::vector<const Row*> train, val, test;
    for (const Row& r : ds.rows) {
        const int s = split_of(r.base, args.seed);
        if (s == 0)
            train.push_back(&r);
        else if (s == 1)
            val.push_back(&r);
        // The test split is scored as diagnosis sees a program: one probe with the inference seed.
        else if (r.seed_index == 0)
            test.push_back(&r);
    }
    const auto xtest = to_matrix(test);
    const Part train_part(train), val_part(val);

    diag::XgbModel model;
    json models = json::array(), evaluation = json::object();
    const auto& faults = diagnosed_faults();
    std::fprintf(stderr, "\nheld-out evaluation (%zu test programs from %s bases never seen in training)\n",
                 test.size(), "20% of");
    std::fprintf(stderr, "%-20s %8s %8s %8s %8s %9s %9s\n", "fault", "thresh", "prec", "recall", "F1",
                 "test_pos", "train_pos");
    for (size_t fi = 0; fi < faults.size(); ++fi) {
        const std::string name = to_string(faults[fi]);
        std::string error;
        bool skipped = false;
        auto fitted = fit_type(train_part, val_part, fi, args, &error, &skipped);
        if (!fitted && !skipped) {
            std::fprintf(stderr, "error: training the %s classifier: %s\n", name.c_str(), error.c_str());
            return 2;
        }
        if (fitted && test.empty()) error = "no test programs (the corpus is too small to split)";
        if (!fitted || test.empty()) {
            std::fprintf(stderr, "%-20s skipped: %s\n", name.c_str(), error.c_str());
            evaluation[name] = {{"trained", false}, {"reason", error}};
            continue;
        }
        auto& booster = fitted->booster;
        const double best_t = fitted->threshold, best_f1 = fitted->validation_f1;
        const int64_t positives = fitted->positives;
        const auto ptest = booster->predict(xtest);
        const Scores s = score(ptest, test, fi, best_t);
        std::fprintf(stderr, "%-20s %8.2f %8.3f %8.3f %8.3f %9lld %9lld\n", name.c_str(), best_t,
                     s.precision(), s.recall(), s.f1(), static_cast<long long>(s.positives),
                     static_cast<long long>(positives));
        evaluation[name] = {{"trained", true},
                            {"threshold", best_t},
                            {"precision", s.precision()},
                            {"recall", s.recall()},
                            {"f1", s.f1()},
                            {"test_positives", s.positives},
                            {"train_positives", positives},
                            {"validation_f1", best_f1}};
        models.push_back({{"fault", name}, {"file", name + ".ubj"}, {"threshold", best_t}});
        model.thresholds[faults[fi]] = best_t;
        model.boosters[faults[fi]] = std::move(booster);
    }
    json cross_validation = json::object(), cross_validation_single = json::object(),
         cross_validation_multi = json::object();
    {
        std::fprintf(stderr,
                     "\ngrouped %d-fold cross-validation (every program scored by classifiers that "
                     "never saw its base)\n",
                     kFolds);
        json per_program = json::array();
        const auto cv = cross_validate(ds, args, args.cv_out.empty() ? nullptr : &per_program);
        if (!args.cv_out.empty()) {
            std::ofstream out(args.cv_out);
            for (const auto& p : per_program)
                out << p.dump() << "\n";
            if (!out) std::fprintf(stderr, "warning: cannot write %s\n", args.cv_out.c_str());
        }
        auto as_json = [](const Scores& s) {
            return json{{"precision", s.precision()},
                        {"recall", s.recall()},
                        {"f1", s.f1()},
                        {"positives", s.positives}};
        };
        std::fprintf(stderr, "%-20s %8s %8s %8s %9s   %-22s %-22s\n", "fault", "prec", "recall", "F1",
                     "positives", "bases + single: F1 (pos)", "multi-fault: F1 (pos)");
        for (const auto& [fi, s] : cv.all) {
            const std::string name = to_string(faults[fi]);
            auto part = [fi = fi](const std::map<size_t, Scores>& scores) {
                const auto it = scores.find(fi);
                return it == scores.end() ? Scores{} : it->second;
            };
            const Scores single = part(cv.single), multi = part(cv.multi);
            std::fprintf(stderr, "%-20s %8.3f %8.3f %8.3f %9lld   %8.3f (%5lld)       %8.3f (%5lld)\n",
                         name.c_str(), s.precision(), s.recall(), s.f1(), static_cast<long long>(s.positives),
                         single.f1(), static_cast<long long>(single.positives), multi.f1(),
                         static_cast<long long>(multi.positives));
            cross_validation[name] = as_json(s);
            cross_validation_single[name] = as_json(single);
            cross_validation_multi[name] = as_json(multi);
        }
    }
    json seeded = json::object();
    for (const auto& [f, c] : ds.per_fault_seeded)
        seeded[f] = {{"seeded", c[0]}, {"measurably_worse", c[1]}};
    model.manifest = {
        {"format", 1},
        {"generator", "faultline train"},
        {"seed", args.seed},
        {"corpus",
         {{"programs_ok", ds.programs},
          {"programs_failed", ds.failed},
          {"mutants", ds.mutants},
          {"mutants_measurably_worse", ds.effective_mutants},
          {"bases_dropped_unlearned", ds.unlearned_bases},
          {"multi_fault_slots_not_composed", ds.not_composed},
          {"multi_fault_mutants", "composed from single faults measured faulty on the same base"},
          {"seeds_per_program", kSeedsPerProgram},
          {"mutants_per_base", corpus::kMutantsPerBase},
          {"per_fault", seeded}}},
        {"labelling",
         {{"test", "one-sided Welch t on final validation accuracy (regression: -log10 validation error)"},
          {"p", 0.05},
          {"cohens_d", 0.5},
          {"noise_floor_sd", kNoiseFloor},
          {"min_difference", kMinDifference},
          {"base_learned", "classification bases must end >= chance + 0.10 accuracy, else dropped"}}},
        {"split", {{"by", "base program"}, {"train", 0.7}, {"validation", 0.1}, {"test", 0.2}}},
        {"rows", {{"train", train.size()}, {"validation", val.size()}, {"test", test.size()}}},
        {"probe_options", diag::probe_options_json(diagnosis_probe_options())},
        {"xgboost",
         {{"objective", "binary:logistic"},
          {"rounds", 200},
          {"max_depth", 5},
          {"eta", 0.1},
          {"scale_pos_weight", "negatives/positives per type"}}},
        {"features", feature_names()},
        {"evaluation", evaluation},
        {"cross_validation",
         {{"folds", kFolds},
          {"grouped_by", "base program"},
          {"scores", cross_validation},
          {"scores_bases_and_single_fault", cross_validation_single},
          {"scores_multi_fault", cross_validation_multi}}},
        {"models", models}};
    std::string error;
    if (model.boosters.empty()) {
        std::fprintf(stderr, "error: no classifier could be trained (too few labelled faults)\n");
        return 2;
    }
    if (!diag::save_model(model, args.out, &error)) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        return 2;
    }
    std::fprintf(stderr, "\nmodel written to %s (%zu classifiers, %.0fs)\n", args.out.c_str(),
                 model.boosters.size(), elapsed(start));
    return 0;
}

bool parse_args(const std::vector<std::string>& a, TrainArgs& out) {
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string flag = a[i];
        auto value = [&](const char* flag) -> const std::string* {
            if (i + 1 >= a.size()) {
                std::fprintf(stderr, "error: %s needs a value\n", flag);
                return nullptr;
            }
            return &a[++i];
        };
        try {
            if (a[i] == "--corpus") {
                auto v = value("--corpus");
                if (!v) return false;
                out.corpus = *v;
            } else if (a[i] == "--out") {
                auto v = value("--out");
                if (!v) return false;
                out.out = *v;
            } else if (a[i] == "--jobs") {
                auto v = value("--jobs");
                if (!v) return false;
                out.jobs = std::clamp(std::stoi(*v), 1, 64);
            } else if (a[i] == "--seed") {
                auto v = value("--seed");
                if (!v) return false;
                out.seed = std::stoull(*v);
            } else if (a[i] == "--size") {
                auto v = value("--size");
                if (!v) return false;
                out.size = std::max<int64_t>(1, std::stoll(*v));
            } else if (a[i] == "--train-only") {
                out.train_only = true;
            } else if (a[i] == "--labels") {
                auto v = value("--labels");
                if (!v) return false;
                out.labels_out = *v;
            } else if (a[i] == "--cv-out") {
                auto v = value("--cv-out");
                if (!v) return false;
                out.cv_out = *v;
            } else {
                std::fprintf(stderr, "error: unknown option %s\n", a[i].c_str());
                return false;
            }
        } catch (const std::exception&) {
            std::fprintf(stderr, "error: %s needs a number\n", flag.c_str());
            return false;
        }
    }
    if (out.corpus.empty()) {
        std::fprintf(stderr,
                     "usage: faultline train --corpus DIR [--jobs N] [--seed S] [--size N] [--out DIR] "
                     "[--train-only] [--labels FILE] [--cv-out FILE]\n");
        return false;
    }
    if (out.out.empty()) out.out = (std::filesystem::path(out.corpus) / "model").string();
    return true;
}

} // namespace

int run_train(const std::vector<std::string>& args) {
    TrainArgs a;
    if (!parse_args(args, a)) return 2;
    std::error_code ec;
    std::filesystem::create_directories(a.corpus, ec);
    if (ec) {
        std::fprintf(stderr, "error: cannot create %s: %s\n", a.corpus.c_str(), ec.message().c_str());
        return 2;
    }
    const std::string corpus_file = (std::filesystem::path(a.corpus) / "programs.jsonl").string();
    if (!a.labels_out.empty()) return write_labels(a, corpus_file);
    if (!a.train_only && !generate(a, corpus_file)) return 2;
    return train_models(a, corpus_file);
}

} // namespace faultline
