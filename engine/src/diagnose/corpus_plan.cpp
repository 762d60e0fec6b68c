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
        const auto options = j.find("probe_options");
        out.push_back({j["id"].get<std::string>(),
                       source != j.end() && source->is_string() ? source->get<std::string>() : "",
                       options != j.end() && options->is_object() ? options->dump() : ""});
    }
    return out;
}

std::vector<const ProgramConfig*> programs_to_probe(const std::vector<ProgramConfig>& plan,
                                                    const std::vector<RecordedProgram>& recorded,
                                                    const std::string& probe_options, size_t* stale) {
    // The last line of an id is the one training reads.
    std::map<std::string, const RecordedProgram*> last;
    for (const auto& r : recorded)
        last[r.id] = &r;
    std::vector<const ProgramConfig*> todo;
    size_t changed = 0;
    for (const auto& c : plan) {
        const auto it = last.find(c.id);
        if (it == last.end()) {
            todo.push_back(&c);
            continue;
        }
        // What a line does not record cannot be compared and stays done: the source is missing when probing
        // threw, the probe options in corpora written before they were recorded.
        const RecordedProgram& r = *it->second;
        const bool other_source = !r.source.empty() && r.source != render(c);
        const bool other_probe = !r.probe_options.empty() && r.probe_options != probe_options;
        if (other_source || other_probe) {
            todo.push_back(&c);
            ++changed;
        }
    }
    if (stale) *stale = changed;
    return todo;
}

} // namespace faultline::corpus
