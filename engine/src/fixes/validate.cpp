// Validation: every candidate fix is applied to the text, re-parsed and probed with the baseline's seed, and
// kept as validated only when it beats the original clearly. The work fits a budget of three single probes
// (wall time) by running two probes at a time and shortening each probe when there are many candidates; the
// original is then re-probed at the same shortened budget so that the comparison stays fair.
#include "faultline/engine/fixes.h"
#include "faultline/parser/parse.h"
#include "fixes/candidates.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

namespace faultline {

namespace {

// Two probes at a time, each on one thread: the machines this runs on have two cores.
constexpr int kWorkers = 2;
// Wall-time budget for all of validation, in single-probe budgets.
constexpr double kBudgetProbes = 3.0;
// Candidates probed per script at most; beyond this each probe would get too short to mean anything.
constexpr size_t kMaxJobs = 10;

struct Job {
    TrainingProgram program;
    Trace trace;
    bool done = false;
};

struct Slot {
    size_t finding = 0;
    size_t fix = 0;
    size_t job = 0;
};

bool same_edits(const std::vector<Replacement>& a, const std::vector<Replacement>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i].range.start_byte != b[i].range.start_byte || a[i].range.end_byte != b[i].range.end_byte ||
            a[i].new_text != b[i].new_text)
            return false;
    return true;
}

bool cancelled(const std::atomic<bool>* cancel) {
    return cancel && cancel->load();
}

// Runs the jobs two at a time. Each worker takes the next job index until none are left or cancel is set.
void run_jobs(std::vector<Job>& jobs, const ProbeOptions& options, const std::atomic<bool>* cancel) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next++; i < jobs.size() && !cancelled(cancel); i = next++) {
            jobs[i].trace = run_probe(jobs[i].program, options, cancel).trace;
            jobs[i].done = true;
        }
    };
    std::vector<std::thread> threads;
    int n = static_cast<int>(std::min<size_t>(kWorkers, jobs.size()));
    for (int t = 1; t < n; ++t)
        threads.emplace_back(worker);
    worker();
    for (auto& t : threads)
        t.join();
}

// How much of the single-probe budget each candidate probe gets: all of it when the candidates (plus the
// combination probe) fit the wall-time budget two at a time, less when they do not.
double budget_share(size_t jobs, bool* reprobe_original) {
    auto waves = [](size_t n) { return static_cast<double>((n + kWorkers - 1) / kWorkers) + 1.0; };
    *reprobe_original = false;
    if (waves(jobs) <= kBudgetProbes) return 1.0;
    *reprobe_original = true;
    return kBudgetProbes / waves(jobs + 1);
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

// The loss of a regression changes what "loss" measures: such fixes cannot be compared on it.
bool comparable(const TrainingProgram& original, const TrainingProgram& edited, bool classification) {
    return classification || original.loss.name.value_or("") == edited.loss.name.value_or("");
}

} // namespace

void validate_fixes(std::string_view text, const TrainingProgram& program, const Trace& baseline,
                    std::vector<Finding>& findings, const ProbeOptions& options,
                    const std::atomic<bool>* cancel) {
    if (baseline.status != ProbeStatus::Ok || cancelled(cancel)) return;

    // Candidates per finding: the finding's own fixes (from the static checks) first, then those built from
    // the program's shape for its fault type; each with the program its edit produces.
    std::map<Fault, std::vector<fixes::Candidate>> by_fault;
    std::vector<std::vector<std::pair<size_t, TrainingProgram>>> queue(
        findings.size()); // (fix index, program)
    for (size_t f = 0; f < findings.size(); ++f) {
        Finding& finding = findings[f];
        for (size_t i = 0; i < finding.fixes.size(); ++i) {
            TrainingProgram edited = fixes::reparse_with(text, finding.fixes[i].edits);
            if (edited.has_syntax_errors && !program.has_syntax_errors) continue;
            queue[f].emplace_back(i, std::move(edited));
        }
        auto [it, fresh] = by_fault.try_emplace(finding.fault);
        if (fresh) it->second = fixes::build_candidates(finding.fault, program, text, &baseline);
        for (const auto& c : it->second) {
            bool duplicate = std::any_of(finding.fixes.begin(), finding.fixes.end(), [&](const Fix& x) {
                return x.title == c.fix.title || same_edits(x.edits, c.fix.edits);
            });
            if (duplicate) continue;
            finding.fixes.push_back(c.fix);
            finding.fixes.back().preferred = false;
            queue[f].emplace_back(finding.fixes.size() - 1, c.program);
        }
    }

    // Round-robin over findings so that every finding gets its first candidates probed before any gets its
    // fourth; identical edited texts share one probe.
    std::vector<Job> jobs;
    std::vector<Slot> slots;
    std::map<std::string, size_t> job_of_text;
    for (size_t round = 0;; ++round) {
        bool any = false;
        for (size_t f = 0; f < findings.size(); ++f) {
            if (round >= queue[f].size()) continue;
            any = true;
            auto& [fix_index, edited] = queue[f][round];
            std::string key = apply_replacements(text, findings[f].fixes[fix_index].edits);
            auto found = job_of_text.find(key);
            if (found == job_of_text.end()) {
                if (jobs.size() >= kMaxJobs) continue;
                found = job_of_text.emplace(key, jobs.size()).first;
                jobs.push_back({std::move(edited), {}, false});
            }
            slots.push_back({f, fix_index, found->second});
        }
        if (!any) break;
    }
    if (jobs.empty()) return;

    bool reprobe = false;
    double share = budget_share(jobs.size(), &reprobe);
    ProbeOptions per_probe = shortened(options, share);
    size_t original_job = jobs.size();
    if (reprobe) jobs.push_back({program, {}, false});
    run_jobs(jobs, per_probe, cancel);
    if (cancelled(cancel)) return;

    const bool classification = scored_as_classification(program, baseline);
    const Trace& reference = reprobe ? jobs[original_job].trace : baseline;
    const ProbeScore before = probe_score(reference, classification);
    if (!before.ok) return;

    for (const auto& slot : slots) {
        Fix& fix = findings[slot.finding].fixes[slot.fix];
        const Job& job = jobs[slot.job];
        if (!job.done || !comparable(program, job.program, classification)) continue;
        ProbeScore after = probe_score(job.trace, classification);
        if (!clearly_better(before, after)) {
            // Said for the record (JSON, measurement); editors show effects of validated fixes only.
            fix.effect = after.ok
                             ? "probed, no clear improvement: " + describe_effect(before, after)
                             : "probe " + std::string(to_string(job.trace.status)) + ": " + job.trace.reason;
            continue;
        }
        fix.validated = true;
        fix.improvement = improvement(before, after);
        fix.effect = describe_effect(before, after);
    }

    // Rank: validated fixes first, best first; the best is the preferred one. Without any validated fix the
    // static checks' own preference stands.
    std::vector<const Fix*> best(findings.size(), nullptr);
    for (size_t f = 0; f < findings.size(); ++f) {
        auto& fixes = findings[f].fixes;
        std::stable_sort(fixes.begin(), fixes.end(), [](const Fix& a, const Fix& b) {
            if (a.validated != b.validated) return a.validated;
            return a.validated && a.improvement > b.improvement;
        });
        if (fixes.empty() || !fixes.front().validated) continue;
        for (auto& fix : fixes)
            fix.preferred = false;
        fixes.front().preferred = true;
        best[f] = &fixes.front();
    }

    // Several findings with validated fixes: `check --fix` applies all of them at once, so probe that too and
    // say what the combination does on each of the fixes involved.
    std::vector<Replacement> combined;
    std::vector<Fix*> involved;
    for (size_t f = 0; f < findings.size(); ++f) {
        if (!best[f]) continue;
        bool repeat = std::any_of(involved.begin(), involved.end(),
                                  [&](const Fix* x) { return same_edits(x->edits, best[f]->edits); });
        if (repeat) continue;
        involved.push_back(&findings[f].fixes.front());
        combined.insert(combined.end(), best[f]->edits.begin(), best[f]->edits.end());
    }
    if (involved.size() < 2 || cancelled(cancel)) return;
    std::string combined_text = apply_replacements(text, combined);
    TrainingProgram combined_program = parse_program(combined_text);
    if (combined_program.has_syntax_errors && !program.has_syntax_errors) return;
    Trace trace = run_probe(combined_program, per_probe, cancel).trace;
    if (cancelled(cancel)) return;
    ProbeScore together = probe_score(trace, classification);
    std::string note = comparable(program, combined_program, classification)
                           ? describe_effect(before, together)
                           : std::string("probe did not compare (the loss changed)");
    if (!together.ok) note = "probe " + std::string(to_string(trace.status)) + ": " + trace.reason;
    for (Fix* fix : involved)
        fix->effect += "; with the other " + std::to_string(involved.size() - 1) + " validated fix" +
                       (involved.size() > 2 ? "es" : "") + ": " + note;
}

} // namespace faultline
