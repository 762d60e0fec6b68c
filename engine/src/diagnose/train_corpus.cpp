// `faultline train`, first step: generate the corpus plan and probe it (resumable, parallel), in two rounds.
#include "diagnose/train_steps.h"

#include "diagnose/model.h"
#include "faultline/engine/diagnose.h"
#include "faultline/engine/probe.h"
#include "faultline/parser/parse.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

namespace faultline::train_steps {
namespace {

using corpus::ProgramConfig;

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

} // namespace

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

} // namespace faultline::train_steps
