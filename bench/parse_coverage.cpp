// Runs the parser over real training scripts and prints, per script, which parts of the training program were
// understood. Usage: parse_coverage [-v] FILE...   (-v also dumps each program)
#include "faultline/parser/parse.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace faultline;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const char* kind(OriginKind k) {
    switch (k) {
    case OriginKind::Literal:
        return "literal";
    case OriginKind::Default:
        return "default";
    case OriginKind::Derived:
        return "derived";
    case OriginKind::Unknown:
        return "unknown";
    }
    return "?";
}

template <class T> std::string show(const Value<T>& v) {
    std::ostringstream os;
    if (v.known())
        os << *v;
    else
        os << "?";
    os << " (" << kind(v.kind) << " @" << v.origin.start.row + 1 << ":" << v.origin.start.column;
    if (!v.uses.empty()) os << ", " << v.uses.size() << " uses";
    if (!v.note.empty()) os << ", " << v.note;
    os << ")";
    return os.str();
}

std::string shape(const std::vector<int64_t>& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ",";
        out += std::to_string(s[i]);
    }
    out += ")";
    return out;
}

void dump(const TrainingProgram& p) {
    std::printf("  framework %s, syntax errors %d\n", to_string(p.framework), p.has_syntax_errors);
    for (const Layer& l : p.layers) {
        std::printf("  layer %-12s units %s act %s in %s", l.kind.c_str(), show(l.units).c_str(),
                    show(l.activation).c_str(), shape(l.input_shape).c_str());
        for (const auto& [k, v] : l.params)
            std::printf(" %s=%s", k.c_str(), show(v).c_str());
        std::printf("\n");
    }
    std::printf("  loss %s logits %d\n", show(p.loss.name).c_str(), p.loss.from_logits);
    std::printf("  optimizer %s lr %s kw '%s' momentum %s\n", show(p.optimizer.name).c_str(),
                show(p.optimizer.lr).c_str(), p.optimizer.lr_keyword.c_str(),
                show(p.optimizer.momentum).c_str());
    std::printf("  epochs %s steps %s batch %s\n", show(p.epochs).c_str(), show(p.steps).c_str(),
                show(p.batch_size).c_str());
    const Data& d = p.data;
    std::printf("  data %s shape %s n %s labels %s classes %s scaled %s range %s..%s\n",
                show(d.source).c_str(), shape(d.input_shape).c_str(), show(d.num_samples).c_str(),
                to_string(d.labels), show(d.num_classes).c_str(), show(d.scaled).c_str(),
                show(d.input_min).c_str(), show(d.input_max).c_str());
    if (p.loop.present)
        std::printf("  loop zero_grad %d backward %d step %d\n", p.loop.zero_grad.has_value(),
                    p.loop.backward.has_value(), p.loop.step.has_value());
    for (const Note& n : p.notes)
        std::printf("  note @%u:%u%s %s\n", n.span.start.row + 1, n.span.start.column,
                    n.blocks_probe ? " [blocks probe]" : "", n.message.c_str());
}

const char* yes(bool b) {
    return b ? "yes" : "-";
}

} // namespace

int main(int argc, char** argv) {
    bool verbose = false;
    bool lines = false;  // -l: the 1-based lines where each setting is written
    bool timing = false; // -t: median parse + extract time per script
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "-v")
            verbose = true;
        else if (a == "-l")
            lines = true;
        else if (a == "-t")
            timing = true;
        else
            files.push_back(a);
    }
    std::printf("| subject | framework | model | loss | opt | lr | act | epochs | batch | data |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
    int n = 0, full = 0;
    std::vector<double> medians;
    for (const std::string& f : files) {
        const std::string text = read(f);
        TrainingProgram p = parse_program(text);
        if (timing) {
            std::vector<double> runs;
            for (int r = 0; r < 21; ++r) {
                auto t0 = std::chrono::steady_clock::now();
                TrainingProgram again = parse_program(text);
                auto t1 = std::chrono::steady_clock::now();
                runs.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            }
            std::nth_element(runs.begin(), runs.begin() + 10, runs.end());
            medians.push_back(runs[10]);
        }
        std::string subject = std::filesystem::path(f).parent_path().filename().string();
        bool model = p.has_model();
        bool blocked = false;
        for (const Note& note : p.notes)
            blocked = blocked || note.blocks_probe;
        bool loss = p.loss.name.known();
        bool opt = p.optimizer.name.known();
        bool lr = p.optimizer.lr.known();
        bool act = model && p.layers.back().activation.known();
        for (auto it = p.layers.rbegin(); model && it != p.layers.rend(); ++it) {
            if (it->kind == "Dropout" || it->kind == "Flatten" || it->kind == "Reshape") continue;
            act = it->activation.known();
            break;
        }
        bool epochs = p.epochs.known() || p.steps.known();
        bool batch = p.batch_size.known();
        bool data = p.data.source.known() && !p.data.input_shape.empty();
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", subject.c_str(),
                    to_string(p.framework), model ? (blocked ? "partial" : "yes") : "-", yes(loss), yes(opt),
                    yes(lr), yes(act), yes(epochs), yes(batch), yes(data));
        ++n;
        if (model && !blocked && loss && opt && lr && act && epochs) ++full;
        if (verbose) dump(p);
        if (lines) {
            auto line = [](const auto& v) {
                return v.known() || v.kind != OriginKind::Unknown ? static_cast<int>(v.origin.start.row) + 1
                                                                  : 0;
            };
            int act_line = 0;
            for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it) {
                if (it->kind == "Dropout" || it->kind == "Flatten" || it->kind == "Reshape") continue;
                act_line = line(it->activation);
                break;
            }
            std::printf("  lines: loss %d opt %d lr %d act %d epochs %d batch %d model %d\n",
                        line(p.loss.name), static_cast<int>(p.optimizer.call.start.row) + 1,
                        line(p.optimizer.lr), act_line, line(p.epochs.known() ? p.epochs : p.steps),
                        line(p.batch_size), static_cast<int>(p.model_span.start.row) + 1);
        }
    }
    if (!medians.empty()) {
        std::sort(medians.begin(), medians.end());
        std::printf(
            "\nparse + extract, median of 21 runs per script: median over scripts %.3f ms, max %.3f ms\n",
            medians[medians.size() / 2], medians.back());
    }
    std::printf("\n%d of %d scripts: full model and all five DeepFD settings (loss, opt, lr, act, epochs)\n",
                full, n);
}
