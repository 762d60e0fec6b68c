// Validation: every candidate fix is applied to the text, re-parsed and probed with the baseline's seed, and
// kept as validated only when it beats the original clearly. Then the findings' fixes are composed greedily
// (a multi-fault program often needs two changes before either shows), and the combination `check --fix`
// would apply is probed too.
//
// Budget: all of it within three single-probe budgets, charged in the probes' planned seconds (so the result
// does not depend on the machine's load; the wall clock only stops it far past that). Two probes run at a
// time; when there are more candidates than fit, each probe gets a proportional share of the budget (steps
// and seconds), and the original is re-probed at that share so that the comparison stays fair. Composition
// runs only while a whole further probe still fits before the deadline.
#include "faultline/engine/fixes.h"
#include "faultline/parser/parse.h"
#include "fixes/candidates.h"
#include "fixes/parallel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace faultline {

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kBudgetProbes = kValidationBudgetProbes;
// Candidates probed alone per script at most; beyond this each probe would get too short to mean anything.
constexpr size_t kMaxJobs = 10;
// Candidates per finding tried on top of each composition so far, and compositions kept at each step.
constexpr size_t kComposeTries = 4;
constexpr size_t kBeam = 2;

bool cancelled(const std::atomic<bool>* cancel) {
    return cancel && cancel->load();
}

bool same_edit(const Replacement& a, const Replacement& b) {
    return a.range.start_byte == b.range.start_byte && a.range.end_byte == b.range.end_byte &&
           a.new_text == b.new_text;
}

bool same_edits(const std::vector<Replacement>& a, const std::vector<Replacement>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_edit);
}

bool overlap(const Replacement& a, const Replacement& b) {
    if (same_edit(a, b)) return false;
    // Two insertions at one point would both apply, in an order nobody chose: treat them as a clash.
    if (a.range.start_byte == b.range.start_byte) return true;
    return a.range.start_byte < b.range.end_byte && b.range.start_byte < a.range.end_byte;
}

// How much of the single-probe budget each probe gets: all of it when the candidates (plus one composition
// wave) fit the wall-time budget two at a time, less when they do not. A probe is expected to cost what the
// baseline's did (`probe_seconds`): small programs finish far inside their budget, large ones overrun it.
double budget_share(size_t jobs, double probe_seconds, double budget_seconds, bool* reprobe_original) {
    auto waves = [](size_t n) {
        return static_cast<double>((n + fixes::kProbeWorkers - 1) / fixes::kProbeWorkers) + 1.0;
    };
    const double cost = std::max(probe_seconds, 1e-3);
    const double allowed = kBudgetProbes * budget_seconds;
    *reprobe_original = false;
    if (waves(jobs) * cost <= allowed) return 1.0;
    *reprobe_original = true;
    return std::min(1.0, allowed / (waves(jobs + 1) * cost));
}

ProbeOptions shortened(const ProbeOptions& options, double share) {
    ProbeOptions o = options;
    o.threads = 1;
    if (share < 1.0) {
        o.budget_seconds = options.budget_seconds * share;
        o.max_steps = std::max<int64_t>(
            1, static_cast<int64_t>(std::floor(static_cast<double>(options.max_steps) * share)));
    }
    return o;
}

// A candidate fix of one finding, with what it measured alone.
struct Entry {
    size_t finding = 0;
    size_t fix = 0; // index into the finding's fixes before ranking
    std::vector<Replacement> edits;
    std::string text;
    std::optional<ProbeScore> alone;
    double gain = -1e9; // improvement alone, for ordering
};

class Validator {
public:
    Validator(std::string_view text, const TrainingProgram& program, const ProbeOptions& options,
              const std::atomic<bool>* cancel, const std::function<void(const FixProgress&)>& progress)
        : text_(text), program_(program), options_(options), cancel_(cancel), progress_(progress),
          allowed_(kBudgetProbes * options.budget_seconds),
          wall_deadline_(Clock::now() +
                         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                             kWallCapFactor * kBudgetProbes * options.budget_seconds))) {}

    void run(const Trace& baseline, std::vector<Finding>& findings);

private:
    void gather(const Trace& baseline, std::vector<Finding>& findings);
    // Probes the texts not probed yet, two at a time; `within_deadline`: only those that can still finish
    // before the deadline.
    void probe(const std::vector<std::string>& texts, bool within_deadline = false);
    std::optional<ProbeScore> score_of(const std::string& text) const;
    bool comparable(const std::string& text) const;
    // How many of `n` further probes the budget still affords, two at a time, each expected to cost the
    // longest planned so far. Charged in planned seconds (Trace::planned_seconds), not the clock's, so that
    // the same script validates the same fixes on an idle and on a loaded machine; the clock only stops
    // validation far past its budget (kWallCapFactor).
    size_t affordable(size_t n) const {
        if (Clock::now() > wall_deadline_) return 0;
        const double left = allowed_ - spent_;
        if (left < longest_probe_) return 0;
        const auto waves = static_cast<size_t>(left / std::max(longest_probe_, 1e-6));
        return std::min(n, waves * fixes::kProbeWorkers);
    }
    bool time_for_a_wave() const { return affordable(1) == 1; }
    void compose(std::vector<Finding>& findings);
    void rank(std::vector<Finding>& findings);
    void report_applied_set(std::vector<Finding>& findings);

    std::string_view text_;
    const TrainingProgram& program_;
    const ProbeOptions& options_;
    const std::atomic<bool>* cancel_;
    const std::function<void(const FixProgress&)>& progress_;
    std::mutex progress_mutex_;
    FixProgress done_;
    double longest_probe_ = 0.0; // planned seconds of the costliest probe so far
    double spent_ = 0.0;         // planned seconds charged so far, a wave of parallel probes as its costliest
    const double allowed_;
    const Clock::time_point wall_deadline_;
    ProbeOptions per_probe_;
    bool classification_ = true;
    ProbeScore before_;
    std::vector<Entry> entries_;
    std::map<std::string, Trace> traces_;
    std::map<std::string, std::string> loss_of_; // edited text -> its loss name, for comparability
    // The composition chosen greedily, as entry indices, and its score.
    std::vector<size_t> chosen_;
    std::optional<ProbeScore> chosen_score_;
};

void Validator::gather(const Trace& baseline, std::vector<Finding>& findings) {
    std::map<Fault, std::vector<fixes::Candidate>> by_fault;
    for (size_t f = 0; f < findings.size(); ++f) {
        Finding& finding = findings[f];
        auto [it, fresh] = by_fault.try_emplace(finding.fault);
        if (fresh) it->second = fixes::build_candidates(finding.fault, program_, text_, &baseline);
        for (const auto& c : it->second) {
            bool duplicate = std::any_of(finding.fixes.begin(), finding.fixes.end(), [&](const Fix& x) {
                return x.title == c.fix.title || same_edits(x.edits, c.fix.edits);
            });
            if (duplicate) continue;
            finding.fixes.push_back(c.fix);
            finding.fixes.back().preferred = false;
        }
        // The finding's own fixes (from the static checks) come first, then those built from the program.
        for (size_t i = 0; i < finding.fixes.size(); ++i) {
            Entry e;
            e.finding = f;
            e.fix = i;
            e.edits = finding.fixes[i].edits;
            e.text = apply_replacements(text_, e.edits);
            if (e.text == text_) continue;
            entries_.push_back(std::move(e));
        }
    }
}

void Validator::probe(const std::vector<std::string>& texts, bool within_deadline) {
    std::vector<std::string> todo;
    for (const auto& t : texts)
        if (!traces_.count(t) && std::find(todo.begin(), todo.end(), t) == todo.end()) todo.push_back(t);
    std::vector<Trace> results(todo.size());
    std::vector<TrainingProgram> programs(todo.size());
    done_.planned += todo.size();
    const size_t afforded = within_deadline ? affordable(todo.size()) : todo.size();
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < todo.size() && !cancelled(cancel_); i = next++) {
            if (i >= afforded || (within_deadline && Clock::now() > wall_deadline_)) {
                results[i].status = ProbeStatus::Skipped;
                results[i].reason = "out of validation time";
                continue;
            }
            programs[i] = todo[i] == text_ ? program_ : parse_program(todo[i]);
            if (programs[i].has_syntax_errors && !program_.has_syntax_errors) {
                results[i].status = ProbeStatus::Skipped;
                results[i].reason = "the edit does not parse";
                continue;
            }
            results[i] = run_probe(programs[i], per_probe_, cancel_).trace;
            if (progress_) {
                std::lock_guard lock(progress_mutex_);
                ++done_.probed;
                progress_(done_);
            }
        }
    };
    fixes::run_probe_workers(todo.size(), worker);
    if (cancelled(cancel_)) return;
    // Charged after the wave, from the plans alone: the same whatever order the workers finished in.
    double costliest = 0.0;
    for (const Trace& t : results)
        costliest = std::max(costliest, planned_probe_seconds(t));
    longest_probe_ = std::max(longest_probe_, costliest);
    const size_t ran = std::min(afforded, todo.size());
    spent_ += static_cast<double>((ran + fixes::kProbeWorkers - 1) / fixes::kProbeWorkers) * costliest;
    for (size_t i = 0; i < todo.size(); ++i) {
        loss_of_[todo[i]] = programs[i].loss.name.value_or("(unknown)");
        traces_[todo[i]] = std::move(results[i]);
    }
}

std::optional<ProbeScore> Validator::score_of(const std::string& text) const {
    auto it = traces_.find(text);
    if (it == traces_.end()) return std::nullopt;
    auto loss = loss_of_.find(text);
    return probe_score(it->second, classification_, loss == loss_of_.end() ? std::string() : loss->second);
}

// A regression scored on its loss cannot be compared across a change of the loss function.
bool Validator::comparable(const std::string& text) const {
    if (classification_) return true;
    auto it = loss_of_.find(text);
    return it != loss_of_.end() && it->second == program_.loss.name.value_or("(unknown)");
}

void Validator::compose(std::vector<Finding>& findings) {
    // A beam search over one fix (or none) per finding. Findings whose fixes did least alone come first: a
    // fix that only helps once another is in place (a softmax that still diverges at lr 5) has to be in the
    // beam before the fix that unlocks it (the learning rate) is tried on top. At each step every state of
    // the beam is extended by the finding's best candidates, and the best states, extended or not, are kept.
    std::vector<size_t> order;
    for (size_t f = 0; f < findings.size(); ++f)
        order.push_back(f);
    auto best_gain = [&](size_t f) {
        double g = -1e9;
        for (const auto& e : entries_)
            if (e.finding == f && e.alone) g = std::max(g, e.gain);
        return g;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return best_gain(a) < best_gain(b); });

    struct State {
        std::vector<size_t> members;
        std::vector<Replacement> edits;
        ProbeScore score;
        std::string text;
    };
    std::vector<State> beam{State{{}, {}, before_, std::string(text_)}};
    for (size_t f : order) {
        if (cancelled(cancel_) || !time_for_a_wave()) break;
        std::vector<size_t> tries;
        for (size_t i = 0; i < entries_.size(); ++i)
            if (entries_[i].finding == f && entries_[i].alone && entries_[i].alone->ok) tries.push_back(i);
        std::stable_sort(tries.begin(), tries.end(),
                         [&](size_t a, size_t b) { return entries_[a].gain > entries_[b].gain; });
        if (tries.size() > kComposeTries) tries.resize(kComposeTries);

        std::vector<State> grown;
        for (const State& parent : beam)
            for (size_t i : tries) {
                const Entry& e = entries_[i];
                bool clash = std::any_of(e.edits.begin(), e.edits.end(), [&](const Replacement& r) {
                    return std::any_of(parent.edits.begin(), parent.edits.end(),
                                       [&](const Replacement& x) { return overlap(r, x); });
                });
                if (clash) continue;
                State next = parent;
                next.members.push_back(i);
                next.edits.insert(next.edits.end(), e.edits.begin(), e.edits.end());
                next.text = apply_replacements(text_, next.edits);
                grown.push_back(std::move(next));
            }
        std::vector<std::string> texts;
        for (const auto& g : grown)
            texts.push_back(g.text);
        probe(texts, /*within_deadline=*/true);

        std::vector<State> candidates = beam;
        for (auto& g : grown) {
            auto score = score_of(g.text);
            if (!score || !score->ok || !comparable(g.text)) continue;
            g.score = *score;
            candidates.push_back(std::move(g));
        }
        std::stable_sort(candidates.begin(), candidates.end(), [&](const State& a, const State& b) {
            return improvement(before_, a.score) > improvement(before_, b.score);
        });
        if (candidates.size() > kBeam) candidates.resize(kBeam);
        beam = std::move(candidates);
    }
    if (beam.empty() || beam.front().members.size() < 2) return;
    const State& best = beam.front();
    if (!clearly_better(before_, best.score)) return;
    // Every member must matter: the composition without it, probed, must be clearly worse.
    std::vector<std::string> without;
    for (size_t k = 0; k < best.members.size(); ++k) {
        std::vector<Replacement> edits;
        for (size_t j = 0; j < best.members.size(); ++j)
            if (j != k)
                edits.insert(edits.end(), entries_[best.members[j]].edits.begin(),
                             entries_[best.members[j]].edits.end());
        without.push_back(apply_replacements(text_, edits));
    }
    probe(without, /*within_deadline=*/true);
    for (const auto& t : without) {
        auto score = score_of(t);
        // Unprobed (out of time) means unconfirmed: the members are then left to stand on their own.
        if (!score || !score->ok || (comparable(t) && !clearly_better(*score, best.score))) return;
    }
    chosen_ = best.members;
    chosen_score_ = best.score;
}

void Validator::rank(std::vector<Finding>& findings) {
    // A composition of several fixes that beats every single one: its members are validated together, with
    // the composition's improvement, so that each finding prefers its member and `check --fix` applies them
    // all.
    if (chosen_.size() >= 2 && chosen_score_) {
        double together = improvement(before_, *chosen_score_);
        for (size_t i : chosen_) {
            const Entry& e = entries_[i];
            Fix& fix = findings[e.finding].fixes[e.fix];
            std::string others;
            for (size_t j : chosen_)
                if (j != i)
                    others += (others.empty() ? "'" : ", '") +
                              findings[entries_[j].finding].fixes[entries_[j].fix].title + "'";
            std::string combined = describe_effect(before_, *chosen_score_) + " together with " + others;
            if (fix.validated) {
                fix.effect += "; " + combined;
            } else {
                fix.validated = true;
                fix.effect = combined;
            }
            fix.improvement = std::max(fix.improvement, together);
        }
    }
    // Validated fixes first, best first; the best is the preferred one. Without any validated fix the static
    // checks' own preference stands.
    for (auto& finding : findings) {
        auto& fixes = finding.fixes;
        std::stable_sort(fixes.begin(), fixes.end(), [](const Fix& a, const Fix& b) {
            if (a.validated != b.validated) return a.validated;
            return a.validated && a.improvement > b.improvement;
        });
        if (fixes.empty() || !fixes.front().validated) continue;
        for (auto& fix : fixes)
            fix.preferred = false;
        fixes.front().preferred = true;
    }
}

// What `check --fix` applies is each finding's preferred fix. When that set differs from the composition
// already probed, probe it too (if time allows) and say what it does on each of its fixes.
void Validator::report_applied_set(std::vector<Finding>& findings) {
    std::vector<Fix*> applied;
    std::vector<Replacement> edits;
    for (auto& finding : findings) {
        if (finding.fixes.empty() || !finding.fixes.front().validated) continue;
        Fix* fix = &finding.fixes.front();
        bool repeat = std::any_of(applied.begin(), applied.end(),
                                  [&](const Fix* x) { return same_edits(x->edits, fix->edits); });
        if (repeat) continue;
        applied.push_back(fix);
        edits.insert(edits.end(), fix->edits.begin(), fix->edits.end());
    }
    if (applied.size() < 2 || cancelled(cancel_)) return;
    std::vector<Replacement> chosen_edits;
    for (size_t i : chosen_)
        chosen_edits.insert(chosen_edits.end(), entries_[i].edits.begin(), entries_[i].edits.end());
    std::string applied_text = apply_replacements(text_, edits);
    if (chosen_.size() >= 2 && applied_text == apply_replacements(text_, chosen_edits))
        return; // already said
    for (size_t i = 0; i < edits.size(); ++i)
        for (size_t j = i + 1; j < edits.size(); ++j)
            if (overlap(edits[i], edits[j])) {
                for (Fix* fix : applied)
                    fix->effect += "; its edits overlap another finding's fix: apply one at a time";
                return;
            }
    if (!time_for_a_wave()) return;
    probe({applied_text});
    auto together = score_of(applied_text);
    if (!together) return;
    std::string note = !together->ok ? "probe " + std::string(to_string(traces_[applied_text].status)) +
                                           ": " + traces_[applied_text].reason
                       : comparable(applied_text) ? describe_effect(before_, *together)
                                                  : std::string("not compared (the loss function changed)");
    for (Fix* fix : applied)
        fix->effect += "; with the other " + std::to_string(applied.size() - 1) + " validated fix" +
                       (applied.size() > 2 ? "es" : "") + ": " + note;
}

void Validator::run(const Trace& baseline, std::vector<Finding>& findings) {
    gather(baseline, findings);
    if (entries_.empty()) return;

    // Round-robin over findings so that every finding gets its first candidates probed before any gets its
    // fourth; identical edited texts share one probe.
    std::vector<std::string> first_wave;
    std::set<std::string> seen;
    for (size_t round = 0;; ++round) {
        bool any = false;
        for (size_t f = 0; f < findings.size(); ++f) {
            size_t k = 0;
            for (const auto& e : entries_) {
                if (e.finding != f) continue;
                if (k++ != round) continue;
                any = true;
                if (seen.count(e.text) || first_wave.size() >= kMaxJobs) continue;
                seen.insert(e.text);
                first_wave.push_back(e.text);
            }
        }
        if (!any) break;
    }

    bool reprobe = false;
    double share =
        budget_share(first_wave.size(), planned_probe_seconds(baseline), options_.budget_seconds, &reprobe);
    per_probe_ = shortened(options_, share);
    longest_probe_ = planned_probe_seconds(baseline) * share;
    const std::string original(text_);
    if (reprobe)
        first_wave.insert(first_wave.begin(),
                          original); // the reference goes first: without it nothing counts
    else
        traces_[original] = baseline;
    loss_of_[original] = program_.loss.name.value_or("(unknown)");
    probe(first_wave, /*within_deadline=*/true);
    if (cancelled(cancel_)) return;

    classification_ = scored_as_classification(program_, baseline);
    before_ = *score_of(original);
    if (!before_.ok) return;

    for (auto& e : entries_) {
        e.alone = score_of(e.text);
        if (!e.alone) continue; // beyond the cap: offered unvalidated
        Fix& fix = findings[e.finding].fixes[e.fix];
        const Trace& trace = traces_[e.text];
        if (!e.alone->ok) {
            fix.effect = "probe " + std::string(to_string(trace.status)) + ": " + trace.reason;
            continue;
        }
        if (!comparable(e.text)) {
            fix.effect = "probed, not compared: the loss function changed";
            continue;
        }
        e.gain = improvement(before_, *e.alone);
        if (!clearly_better(before_, *e.alone)) {
            // Said for the record (JSON, measurement); editors show effects of validated fixes only.
            fix.effect = "probed, no clear improvement: " + describe_effect(before_, *e.alone);
            continue;
        }
        fix.validated = true;
        fix.improvement = e.gain;
        fix.effect = describe_effect(before_, *e.alone);
    }

    size_t findings_with_candidates = 0;
    for (size_t f = 0; f < findings.size(); ++f)
        if (std::any_of(entries_.begin(), entries_.end(),
                        [&](const Entry& e) { return e.finding == f && e.alone; }))
            ++findings_with_candidates;
    if (findings_with_candidates >= 2) compose(findings);
    if (cancelled(cancel_)) return;
    rank(findings);
    report_applied_set(findings);
}

} // namespace

void validate_fixes(std::string_view text, const TrainingProgram& program, const Trace& baseline,
                    std::vector<Finding>& findings, const ProbeOptions& options,
                    const std::atomic<bool>* cancel,
                    const std::function<void(const FixProgress&)>& progress) {
    if (baseline.status != ProbeStatus::Ok || cancelled(cancel)) return;
    Validator(text, program, options, cancel, progress).run(baseline, findings);
}

} // namespace faultline
