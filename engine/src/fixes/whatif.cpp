// What-if diagnosis (whatif.h): probe each fault type's candidate changes and report the types whose change
// wins under every seed.
#include "faultline/engine/whatif.h"

#include "faultline/engine/diagnose.h"
#include "faultline/engine/fixes.h"
#include "faultline/engine/localize.h"
#include "fixes/candidates.h"
#include "fixes/parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace faultline {

namespace {

using Clock = std::chrono::steady_clock;

bool cancelled(const std::atomic<bool>* cancel) {
    return cancel && cancel->load();
}

bool is_alarm(const Finding& f) {
    return f.severity == Severity::Error || f.severity == Severity::Warning;
}

bool classifier_only(const Finding& f) {
    return !f.sources.empty() && std::all_of(f.sources.begin(), f.sources.end(),
                                             [](EvidenceSource s) { return s == EvidenceSource::Diagnosis; });
}

// Whether a probe ran the script's own weight updates, every one of them: then "more epochs train the probe
// better" speaks about the script. A probe that windows a large dataset's epoch into a few steps does not.
bool runs_script_updates(const Trace& t) {
    return t.status == ProbeStatus::Ok && t.user_updates > 0 && t.steps == t.user_updates &&
           t.simulated_epochs == t.user_epochs;
}

const char* setting(Fault f) {
    switch (f) {
    case Fault::opt:
        return "the optimizer";
    case Fault::lr:
        return "the learning rate";
    case Fault::act:
        return "the activation";
    case Fault::loss:
        return "the loss function";
    case Fault::epoch:
        return "the number of epochs";
    case Fault::batch_size:
        return "the batch size";
    case Fault::data_preprocessing:
        return "the input scaling";
    case Fault::weight_init:
        return "the weight initialization";
    case Fault::hidden_activation:
        return "the hidden layers' activation";
    default:
        return "a training setting";
    }
}

// How the probe's accuracy reads a program's outputs. Keras scores binary cross-entropy over several output
// units element by element, so a ten-class model switched to sigmoid + binary cross-entropy reports 0.9 for
// predicting nothing: such accuracies are not comparable with the argmax accuracy of the original.
bool elementwise_accuracy(const TrainingProgram& p) {
    const std::string loss = p.loss.name.value_or("");
    if (loss != "binary_crossentropy") return false;
    for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it)
        if (it->units.known()) return *it->units > 1;
    return false;
}

// A what-if finding claims a fault, which asks for more than a fix's validation margin: the change must turn
// a diverging probe into a converging one, or add 0.10 accuracy (classification), or halve the final loss
// (regression).
constexpr double kDecisiveAccuracy = 0.10;
constexpr double kDecisiveLossRatio = 0.5;

// A regression whose loss already fell below this share of its first epoch's has learnt the task; a smaller
// loss still is polish, not a fault.
constexpr double kConvergedShare = 0.1;

double first_epoch_loss(const Trace& t) {
    auto it = t.series.find("train_loss");
    return it == t.series.end() || it->second.empty() ? std::nan("") : it->second.front();
}

bool decisive(const ProbeScore& before, const Trace& before_trace, const ProbeScore& after) {
    if (!clearly_better(before, after)) return false;
    if (before.diverged) return true;
    if (before.classification) {
        const double base = std::isnan(before.accuracy) ? 0.0 : before.accuracy;
        return !std::isnan(after.accuracy) && after.accuracy - base >= kDecisiveAccuracy;
    }
    const double initial = first_epoch_loss(before_trace);
    if (std::isfinite(initial) && before.loss < kConvergedShare * initial) return false;
    return before.loss > 0 && after.loss <= kDecisiveLossRatio * before.loss;
}

// Updates and epochs the what-if probes may run (the diagnosis probe: 160 and 10).
constexpr int64_t kWhatIfSteps = 1600;
constexpr int64_t kWhatIfEpochs = 30;

struct Job {
    Fault fault;
    fixes::Candidate candidate;
    std::vector<ProbeScore> scores; // one per seed probed so far
};

class WhatIf {
public:
    WhatIf(const TrainingProgram& program, const Trace& baseline, const ProbeOptions& options,
           const WhatIfOptions& whatif, const std::atomic<bool>* cancel)
        : program_(program), baseline_(baseline), options_(options), whatif_(whatif), cancel_(cancel),
          allowed_(whatif.budget_probes * options.budget_seconds),
          wall_deadline_(Clock::now() +
                         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                             kWallCapFactor * whatif.budget_probes * options.budget_seconds))),
          longest_(std::max(planned_probe_seconds(baseline), 1e-3)) {
        options_.threads = 1;
        // The diagnosis probe squeezes a long training into 160 steps, which flatters any change that makes
        // steps bigger (a higher rate, another optimizer, smaller batches): a script whose 5,600 updates at
        // Adam's 1e-3 would converge looks stuck after 160. The what-if probes run up to the script's own
        // number of updates (within kWhatIfSteps and the time budget), baseline included.
        options_.max_steps = std::max(options_.max_steps, kWhatIfSteps);
        options_.max_epochs = std::max(options_.max_epochs, kWhatIfEpochs);
        if (baseline.steps > 0)
            longest_ = std::min(options.budget_seconds, longest_ * static_cast<double>(options_.max_steps) /
                                                            static_cast<double>(baseline.steps));
    }

    // Probes (program, seed) pairs two at a time, as many as the budget still affords; the rest are left
    // unprobed. Charged in planned seconds (see Validator::affordable in validate.cpp): the same pairs are
    // probed on an idle and on a loaded machine, and the clock only stops the what-if far past its budget.
    std::vector<std::optional<Trace>>
    probe(const std::vector<std::pair<const TrainingProgram*, uint64_t>>& work) {
        std::vector<std::optional<Trace>> out(work.size());
        const size_t afforded = affordable(work.size());
        std::atomic<size_t> next{0};
        auto worker = [&] {
            for (size_t i = next++; i < afforded && !cancelled(cancel_); i = next++) {
                if (Clock::now() > wall_deadline_) continue;
                ProbeOptions o = options_;
                o.seed = work[i].second;
                out[i] = run_probe(*work[i].first, o, cancel_).trace;
            }
        };
        fixes::run_probe_workers(afforded, worker);
        double costliest = 0.0;
        for (const auto& t : out)
            if (t) costliest = std::max(costliest, planned_probe_seconds(*t));
        longest_ = std::max(longest_, costliest);
        spent_ +=
            static_cast<double>((afforded + fixes::kProbeWorkers - 1) / fixes::kProbeWorkers) * costliest;
        return out;
    }

    ProbeScore score(const Trace& trace, const TrainingProgram& p) const {
        return probe_score(trace, classification_, p.loss.name.value_or("(unknown)"));
    }

    // A regression scored on its loss cannot be compared across a change of the loss function.
    bool comparable(const TrainingProgram& p) const {
        if (classification_) return elementwise_accuracy(p) == elementwise_accuracy(program_);
        return p.loss.name.value_or("(unknown)") == program_.loss.name.value_or("(unknown)");
    }

    WhatIfResult run(std::string_view text, const std::vector<Finding>& existing);

private:
    size_t affordable(size_t n) const {
        if (Clock::now() > wall_deadline_) return 0;
        const double left = allowed_ - spent_;
        if (left < longest_) return 0;
        return std::min(n, static_cast<size_t>(left / longest_) * fixes::kProbeWorkers);
    }

    const TrainingProgram& program_;
    const Trace& baseline_;
    ProbeOptions options_;
    const WhatIfOptions& whatif_;
    const std::atomic<bool>* cancel_;
    const double allowed_;                  // planned seconds
    const Clock::time_point wall_deadline_; // the safety net
    double longest_;                        // planned seconds of the costliest probe so far
    double spent_ = 0.0;
    bool classification_ = true;
};

std::string seed_list(uint64_t first, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += (i == 0 ? "" : i + 1 == n ? " and " : ", ") + std::to_string(first + static_cast<uint64_t>(i));
    return out;
}

WhatIfResult WhatIf::run(std::string_view text, const std::vector<Finding>& existing) {
    // Built once: their titles tell the act candidates that duplicate them, and they are the type's own jobs.
    auto hidden_candidates = fixes::build_candidates(Fault::hidden_activation, program_, text, &baseline_);
    std::set<std::string> hidden_titles;
    for (const auto& c : hidden_candidates)
        hidden_titles.insert(c.fix.title);
    classification_ = scored_as_classification(program_, baseline_);
    const uint64_t seed = options_.seed;
    const std::string base_loss = program_.loss.name.value_or("(unknown)");

    // The DeepFD types first: when the budget runs short, they are the ones tried.
    std::vector<Job> jobs;
    for (Fault fault :
         {Fault::lr, Fault::opt, Fault::loss, Fault::act, Fault::epoch, Fault::data_preprocessing,
          Fault::batch_size, Fault::weight_init, Fault::hidden_activation}) {
        // An alarm backed by the text or the probe's own record settles the type; one from the classifiers
        // alone is a hypothesis the what-if can test.
        bool named = std::any_of(existing.begin(), existing.end(), [&](const Finding& f) {
            return f.fault == fault && is_alarm(f) && !classifier_only(f);
        });
        if (named || !locate(fault, program_)) continue;
        auto candidates = fault == Fault::hidden_activation
                              ? std::move(hidden_candidates)
                              : fixes::build_candidates(fault, program_, text, &baseline_);
        size_t taken = 0;
        for (auto& c : candidates) {
            if (taken == whatif_.candidates_per_fault) break;
            // The activation fixes include relu between hidden layers, which is the hidden_activation type's
            // own test: probed (and credited) once, there.
            if (fault == Fault::act && hidden_titles.count(c.fix.title)) continue;
            if (c.program.has_syntax_errors && !program_.has_syntax_errors) continue;
            if (!comparable(c.program)) continue;
            jobs.push_back({fault, std::move(c), {}});
            ++taken;
        }
    }
    WhatIfResult result;
    if (jobs.empty()) return result;

    // First seed: the original, at the what-if length, and every candidate.
    std::vector<std::pair<const TrainingProgram*, uint64_t>> work{{&program_, seed}};
    for (const auto& j : jobs)
        work.push_back({&j.candidate.program, seed});
    auto first = probe(work);
    if (cancelled(cancel_) || !first[0]) return result;
    const ProbeScore before = probe_score(*first[0], classification_, base_loss);
    if (!before.ok) return result;

    // The best clear winner per fault type goes on to the further seeds.
    std::map<Fault, size_t> winner;
    std::set<Fault> tested; // types with at least one candidate probed to the end
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (!first[i + 1]) continue;
        if (jobs[i].fault == Fault::epoch && !runs_script_updates(*first[0])) continue;
        ProbeScore s = score(*first[i + 1], jobs[i].candidate.program);
        jobs[i].scores.push_back(s);
        if (s.ok) tested.insert(jobs[i].fault);
        if (!decisive(before, *first[0], s)) continue;
        auto it = winner.find(jobs[i].fault);
        if (it == winner.end() || improvement(before, s) > improvement(before, jobs[it->second].scores[0]))
            winner[jobs[i].fault] = i;
    }
    std::vector<ProbeScore> originals{before};
    for (int k = 1; k < whatif_.seeds && !winner.empty(); ++k) {
        const uint64_t s = seed + static_cast<uint64_t>(k);
        work.clear();
        work.push_back({&program_, s});
        for (const auto& [fault, i] : winner)
            work.push_back({&jobs[i].candidate.program, s});
        auto traces = probe(work);
        if (cancelled(cancel_) || !traces[0]) return result;
        ProbeScore original = probe_score(*traces[0], classification_, base_loss);
        if (!original.ok) return result;
        originals.push_back(original);
        size_t w = 1;
        for (auto it = winner.begin(); it != winner.end(); ++w) {
            Job& job = jobs[it->second];
            // Unprobed for lack of time is unconfirmed.
            if (!traces[w]) {
                it = winner.erase(it);
                continue;
            }
            ProbeScore after = score(*traces[w], job.candidate.program);
            job.scores.push_back(after);
            if (!decisive(original, *traces[0], after))
                it = winner.erase(it);
            else
                ++it;
        }
    }

    // Switching the optimizer also switches to its default rate, so when the rate itself is the named or the
    // winning change, the optimizer's win is the same effect seen twice: report the smaller change only.
    const bool lr_named = std::any_of(existing.begin(), existing.end(),
                                      [](const Finding& f) { return f.fault == Fault::lr && is_alarm(f); });
    if (lr_named || winner.count(Fault::lr)) {
        if (winner.erase(Fault::opt)) tested.erase(Fault::opt); // explained, not refuted
    }
    for (Fault f : tested)
        if (!winner.count(f)) result.unconfirmed.push_back(f);

    std::vector<Finding>& out = result.findings;
    for (const auto& [fault, i] : winner) {
        const Job& job = jobs[i];
        if (job.scores.size() != originals.size()) continue;
        auto where = locate(fault, program_);
        if (!where) continue;
        double mean_gain = 0;
        for (size_t k = 0; k < originals.size(); ++k)
            mean_gain += improvement(originals[k], job.scores[k]);
        mean_gain /= static_cast<double>(originals.size());
        const std::string effect = describe_effect(originals[0], job.scores[0]);
        const std::string seeds = seed_list(seed, static_cast<int>(originals.size()));

        Finding f;
        f.code = whatif_code(fault);
        f.fault = fault;
        f.severity = Severity::Warning;
        // Mean improvement (accuracy points, or relative loss drop) mapped into [0.5, 0.95]: a what-if
        // finding rests on measurements, but of a probe, not of the script's own training.
        f.confidence = std::clamp(0.5 + mean_gain, 0.5, 0.95);
        f.message = std::string(setting(fault)) +
                    " holds training back: the probe trains clearly better with '" + job.candidate.fix.title +
                    "' (" + effect + "; seeds " + seeds + ")";
        std::string per_seed;
        for (size_t k = 0; k < originals.size(); ++k)
            per_seed +=
                "\n- seed " + std::to_string(seed + k) + ": " + describe_effect(originals[k], job.scores[k]);
        f.explanation = "**" + std::string(setting(fault)) + " holds training back** (" + to_string(fault) +
                        ", what-if probe)\n\nThe program was probed again with one change, '" +
                        job.candidate.fix.title + "', on the same " +
                        (baseline_.data_description.empty() ? std::string("synthetic data")
                                                            : baseline_.data_description) +
                        ", and trained clearly better under every seed tried:" + per_seed +
                        "\n\nThe probe is a short training on data of the script's shape and range, not the "
                        "script's own data: treat the change as the first thing to try.";
        f.range = where->range;
        f.related = where->related;
        f.related_messages = where->related_messages;
        Fix fix = job.candidate.fix;
        fix.validated = true;
        fix.preferred = true;
        fix.improvement = mean_gain;
        fix.effect = effect + " (seeds " + seeds + ")";
        f.fixes.push_back(std::move(fix));
        f.sources = {EvidenceSource::Probe};
        out.push_back(std::move(f));
    }
    return result;
}

} // namespace

const char* whatif_code(Fault f) {
    switch (f) {
    case Fault::opt:
        return "FL301";
    case Fault::lr:
        return "FL302";
    case Fault::act:
        return "FL303";
    case Fault::loss:
        return "FL304";
    case Fault::epoch:
        return "FL305";
    case Fault::batch_size:
        return "FL306";
    case Fault::data_preprocessing:
        return "FL307";
    case Fault::weight_init:
        return "FL308";
    case Fault::hidden_activation:
        return "FL309";
    default:
        return "FL399";
    }
}

WhatIfResult run_whatif(std::string_view text, const TrainingProgram& program, const Trace& baseline,
                        const std::vector<Finding>& existing, const ProbeOptions& options,
                        const WhatIfOptions& whatif, const std::atomic<bool>* cancel) {
    if (baseline.status != ProbeStatus::Ok || cancelled(cancel) || whatif.seeds < 1) return {};
    return WhatIf(program, baseline, options, whatif, cancel).run(text, existing);
}

std::vector<Finding> diagnose_by_whatif(std::string_view text, const TrainingProgram& program,
                                        const Trace& baseline, const std::vector<Finding>& existing,
                                        const ProbeOptions& options, const WhatIfOptions& whatif,
                                        const std::atomic<bool>* cancel) {
    return run_whatif(text, program, baseline, existing, options, whatif, cancel).findings;
}

void settle_classifier_alarms(std::vector<Finding>& findings, const std::vector<Fault>& unconfirmed) {
    for (auto& f : findings) {
        if (!is_alarm(f) || !classifier_only(f)) continue;
        if (std::find(unconfirmed.begin(), unconfirmed.end(), f.fault) == unconfirmed.end()) continue;
        f.severity = Severity::Information;
        f.message += " (a what-if probe of the usual changes found none that helps: shown as a hint)";
        f.explanation +=
            "\n\nWhat-if probes of this type's usual changes (the quick fixes below) did not train the "
            "probe decisively better under every seed, so the classifier's call is kept as a hint "
            "rather than an alarm.";
    }
}

} // namespace faultline
