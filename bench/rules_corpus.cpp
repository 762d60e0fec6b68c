// How the static checks fare on the generated training corpus (engine/src/diagnose/corpus_*.cpp): alarms on
// correct base programs (false alarms by construction) and, per mutation operator, the share of mutants on
// which a check raises an alarm of the operator's fault type, for the Keras and the PyTorch programs.
// Usage: rules_corpus [bases=300] [seed=7]. The tables are in docs/rules.md.
#include "faultline/engine/rules.h"
#include "faultline/engine/train.h"
#include "faultline/parser/parse.h"

#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

using namespace faultline;

namespace {

bool alarming(const Finding& f) {
    return f.severity == Severity::Error || f.severity == Severity::Warning;
}

struct Tally {
    int64_t bases = 0;
    int64_t bases_alarmed = 0;
    std::map<std::string, int64_t> false_alarm_codes;
    std::map<std::string, std::pair<int64_t, int64_t>> per_operator; // operator -> (caught, applied)
};

void print(const char* flavour, const Tally& t) {
    std::cout << "## " << flavour << "\n\n| base programs | with an alarm |\n|---|---|\n| " << t.bases
              << " | " << t.bases_alarmed << " |\n\n";
    for (const auto& [code, n] : t.false_alarm_codes)
        std::cout << "false alarms " << code << ": " << n << "\n";
    std::cout << "| operator | mutants | caught by a static alarm of its type |\n|---|---|---|\n";
    for (const auto& [op, caught_applied] : t.per_operator) {
        const auto [caught, applied] = caught_applied;
        std::cout << "| " << op << " | " << applied << " | " << caught << " ("
                  << (applied ? 100 * caught / applied : 0) << "%) |\n";
    }
    std::cout << "\n";
}

} // namespace

int main(int argc, char** argv) {
    const int64_t count = argc > 1 ? std::atoll(argv[1]) : 300;
    const uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 7;
    std::map<corpus::Flavour, Tally> tallies;
    for (int64_t i = 0; i < count; ++i) {
        const corpus::ProgramConfig base = corpus::make_base(seed, i);
        Tally& t = tallies[base.flavour];
        ++t.bases;
        bool alarmed = false;
        for (const auto& f : run_static_checks(parse_program(corpus::render(base)))) {
            if (!alarming(f)) continue;
            alarmed = true;
            ++t.false_alarm_codes[f.code];
        }
        t.bases_alarmed += alarmed;
        for (corpus::Operator op : corpus::all_operators()) {
            corpus::ProgramConfig mutant = base;
            std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(i) * 31 + static_cast<uint64_t>(op));
            if (!corpus::apply(op, mutant, rng)) continue;
            const Fault wanted = corpus::fault_of(op);
            bool caught = false;
            for (const auto& f : run_static_checks(parse_program(corpus::render(mutant))))
                caught = caught || (alarming(f) && f.fault == wanted);
            auto& pair = t.per_operator[corpus::to_string(op)];
            pair.first += caught;
            pair.second += 1;
        }
    }
    print("Keras", tallies[corpus::Flavour::Keras]);
    print("PyTorch", tallies[corpus::Flavour::PyTorch]);
    return 0;
}
