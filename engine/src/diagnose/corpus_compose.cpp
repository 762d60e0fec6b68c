// Multi-fault mutants composed from measured single faults, as DeepFD composed its own: a fault type in a
// multi-fault mutant is then a fault that hurt on its own, so the mutant's label holds for each of its types.
#include "faultline/engine/train.h"

#include <algorithm>
#include <map>
#include <set>

namespace faultline::corpus {

namespace {

// Copies into `into` every setting that `single` changed from `base`. Each operator changes settings no other
// operator of a compatible type touches (an optimizer swap and a rate change, which share the optimizer
// statement, are never composed), so the order of the singles does not matter.
void carry_over(const ProgramConfig& base, const ProgramConfig& single, ProgramConfig& into) {
    auto take = [&](auto ProgramConfig::*setting) {
        if (single.*setting != base.*setting) into.*setting = single.*setting;
    };
    take(&ProgramConfig::loss);
    take(&ProgramConfig::optimizer);
    take(&ProgramConfig::lr);
    take(&ProgramConfig::optimizer_as_string);
    take(&ProgramConfig::momentum);
    take(&ProgramConfig::epochs);
    take(&ProgramConfig::output_activation);
    take(&ProgramConfig::batch_size);
    take(&ProgramConfig::kernel_initializer);
    take(&ProgramConfig::scaled);
    for (size_t i = 0; i < single.hidden.size() && i < base.hidden.size() && i < into.hidden.size(); ++i)
        if (single.hidden[i].activation != base.hidden[i].activation)
            into.hidden[i].activation = single.hidden[i].activation;
    for (const auto& line : single.mutations)
        into.mutations.push_back(line);
    for (Fault f : single.seeded)
        if (std::find(into.seeded.begin(), into.seeded.end(), f) == into.seeded.end())
            into.seeded.push_back(f);
}

bool compatible(const std::vector<const ProgramConfig*>& singles) {
    std::set<Fault> types;
    for (const ProgramConfig* s : singles)
        for (Fault f : s->seeded)
            if (!types.insert(f).second) return false;
    return !(types.count(Fault::opt) && types.count(Fault::lr));
}

// Every k-element combination of `pool` (indices in increasing order).
void combinations(size_t n, size_t k, size_t from, std::vector<size_t>& current,
                  std::vector<std::vector<size_t>>& out) {
    if (current.size() == k) {
        out.push_back(current);
        return;
    }
    for (size_t i = from; i < n; ++i) {
        current.push_back(i);
        combinations(n, k, i + 1, current, out);
        current.pop_back();
    }
}

std::mt19937_64 rng_for(const std::string& id, uint64_t seed) {
    uint64_t h = 1469598103934665603ull;
    for (char ch : id)
        h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                      static_cast<uint32_t>(h), static_cast<uint32_t>(h >> 32), 0xc0deu};
    return std::mt19937_64(seq);
}

} // namespace

bool is_multi_fault(const ProgramConfig& mutant) {
    return mutant.mutations.size() > 1;
}

Composition compose_multi_faults(const std::vector<ProgramConfig>& plan,
                                 const std::function<bool(const std::string& id)>& measured_faulty,
                                 uint64_t seed) {
    Composition out;
    // The plan lists each base before its mutants.
    std::map<std::string, const ProgramConfig*> bases;
    std::map<std::string, std::vector<const ProgramConfig*>> faulty_singles;
    std::map<std::string, std::set<std::vector<size_t>>> taken;
    for (const auto& c : plan) {
        const std::string base = c.id.substr(0, c.id.find('-'));
        if (base == c.id) {
            bases[base] = &c;
            continue;
        }
        if (is_multi_fault(c) || c.seeded.empty() || !measured_faulty(c.id)) continue;
        // Two draws can seed the same change (zeros as initializer twice); one of them is enough, or two
        // slots would compose the same program.
        auto& pool = faulty_singles[base];
        if (std::none_of(pool.begin(), pool.end(),
                         [&](const ProgramConfig* s) { return s->mutations == c.mutations; }))
            pool.push_back(&c);
    }
    for (const auto& slot : plan) {
        if (!is_multi_fault(slot)) continue;
        const std::string base_id = slot.id.substr(0, slot.id.find('-'));
        const auto base = bases.find(base_id);
        const auto& pool = faulty_singles[base_id];
        std::mt19937_64 rng = rng_for(slot.id, seed);
        std::vector<size_t> chosen;
        if (base != bases.end())
            for (size_t k = std::min<size_t>(slot.mutations.size(), 3); k >= 2 && chosen.empty(); --k) {
                std::vector<std::vector<size_t>> all, open;
                std::vector<size_t> current;
                combinations(pool.size(), k, 0, current, all);
                for (const auto& combo : all) {
                    std::vector<const ProgramConfig*> singles;
                    for (size_t i : combo)
                        singles.push_back(pool[i]);
                    if (compatible(singles) && !taken[base_id].count(combo)) open.push_back(combo);
                }
                if (!open.empty())
                    chosen = open[std::uniform_int_distribution<size_t>(0, open.size() - 1)(rng)];
            }
        if (chosen.empty()) {
            out.not_composed.push_back(slot.id);
            continue;
        }
        taken[base_id].insert(chosen);
        ProgramConfig m = *base->second;
        m.id = slot.id;
        for (size_t i : chosen)
            carry_over(*base->second, *pool[i], m);
        out.composed.push_back(std::move(m));
    }
    return out;
}

} // namespace faultline::corpus
