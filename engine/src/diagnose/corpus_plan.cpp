#include "faultline/engine/train.h"

#include <fstream>
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

std::vector<std::string> done_programs(const std::string& corpus_file) {
    std::vector<std::string> ids;
    std::ifstream in(corpus_file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_object() && j.contains("id") && j["id"].is_string())
            ids.push_back(j["id"].get<std::string>());
    }
    return ids;
}

} // namespace faultline::corpus
