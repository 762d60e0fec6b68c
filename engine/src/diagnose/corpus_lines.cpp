// Reading the corpus file of `faultline train` and judging a probed program against its base.
#include "diagnose/train_steps.h"

#include "diagnose/program_facts.h"

#include <algorithm>
#include <fstream>
#include <numeric>

namespace faultline::train_steps {

using corpus::Task;

namespace {

// Per-seed outcomes of a probed program (higher is better).
std::vector<double> outcomes(const json& line) {
    std::vector<double> v;
    const Task task = task_from(line.value("task", "multiclass"));
    for (const auto& t : line["traces"])
        v.push_back(corpus::outcome(t.get<Trace>(), task));
    return v;
}

} // namespace

const char* task_name(Task t) {
    return t == Task::Binary ? "binary" : t == Task::Multiclass ? "multiclass" : "regression";
}
Task task_from(const std::string& s) {
    return s == "binary" ? Task::Binary : s == "multiclass" ? Task::Multiclass : Task::Regression;
}

double elapsed(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

bool probed_ok(const json* line) {
    return line && line->value("status", "") == "ok";
}

bool measurably_worse(const json& better, const json& worse) {
    return corpus::welch_worse(outcomes(better), outcomes(worse), kNoiseFloor, kMinDifference).significant;
}

Lines read_lines(const std::string& corpus_file) {
    Lines lines;
    std::ifstream in(corpus_file);
    std::string text;
    while (std::getline(in, text)) {
        auto j = json::parse(text, nullptr, false);
        if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) continue;
        // The id first: json's assignment takes its argument by value, which would empty `j` before the key
        // is read.
        const std::string id = j["id"].get<std::string>();
        lines[id] = std::move(j);
    }
    return lines;
}

const json* find_line(const Lines& lines, const std::string& id) {
    auto it = lines.find(id);
    return it == lines.end() ? nullptr : &it->second;
}

bool base_learned(const json& line, const TrainingProgram& program) {
    const Task task = task_from(line.value("task", "multiclass"));
    if (task == Task::Regression) return true;
    const auto facts = diag::read_facts(program);
    const double classes = task == Task::Binary ? 2.0 : facts.classes;
    if (classes < 2) return true;
    const auto v = outcomes(line);
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / double(std::max<size_t>(v.size(), 1));
    return mean >= 1.0 / classes + kLearnedMargin;
}

} // namespace faultline::train_steps
