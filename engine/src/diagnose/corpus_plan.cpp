#include "faultline/engine/train.h"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

namespace faultline::corpus {

std::vector<ProgramConfig> plan_corpus(uint64_t seed, int64_t size, int64_t mutants_per_base) {
    std::vector<ProgramConfig> out;
    for (int64_t index = 0; static_cast<int64_t>(out.size()) < size; ++index) {
        ProgramConfig base = make_base(seed, index);
        auto mutants = make_mutants(base, seed, mutants_per_base);
        out.push_back(std::move(base));
        for (auto& m : mutants) {
            if (static_cast<int64_t>(out.size()) >= size) break;
            out.push_back(std::move(m));
        }
    }
    return out;
}

std::vector<RecordedProgram> recorded_programs(const std::string& corpus_file) {
    std::vector<RecordedProgram> out;
    std::ifstream in(corpus_file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) continue;
        const auto source = j.find("source");
        out.push_back({j["id"].get<std::string>(),
                       source != j.end() && source->is_string() ? source->get<std::string>() : ""});
    }
    return out;
}

std::vector<const ProgramConfig*> programs_to_probe(const std::vector<ProgramConfig>& plan,
                                                    const std::vector<RecordedProgram>& recorded,
                                                    size_t* stale) {
    // The last line of an id is the one training reads.
    std::map<std::string, const std::string*> source_of;
    for (const auto& r : recorded)
        source_of[r.id] = &r.source;
    std::vector<const ProgramConfig*> todo;
    size_t changed = 0;
    for (const auto& c : plan) {
        const auto it = source_of.find(c.id);
        if (it == source_of.end()) {
            todo.push_back(&c);
        } else if (!it->second->empty() && *it->second != render(c)) {
            // (A line without its source, written when probing threw, cannot be compared: it stays done.)
            todo.push_back(&c);
            ++changed;
        }
    }
    if (stale) *stale = changed;
    return todo;
}

} // namespace faultline::corpus
