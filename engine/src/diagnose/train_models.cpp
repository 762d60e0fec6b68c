// `faultline train`, second step: label the probed corpus by measured effect, train one classifier per fault
// type, choose thresholds on a validation split, report held-out and cross-validated scores, write the model.
#include "diagnose/train_steps.h"

#include "diagnose/booster.h"
#include "diagnose/model.h"
#include "faultline/engine/diagnose.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/parse.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

namespace faultline::train_steps {
namespace {

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

} // namespace

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

namespace {

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

} // namespace

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

} // namespace faultline::train_steps
