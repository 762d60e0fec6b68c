// `faultline train`: generate and probe the corpus (resumable, parallel), label it by measured effect, train
// one classifier per fault type, choose thresholds on a validation split and report held-out scores. This file
// reads the command's options and runs the steps; train_steps.h says which file does what.
#include "faultline/engine/train.h"

#include "diagnose/train_steps.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace faultline {

namespace {

using train_steps::TrainArgs;

bool parse_args(const std::vector<std::string>& a, TrainArgs& out) {
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string flag = a[i];
        auto value = [&](const char* flag) -> const std::string* {
            if (i + 1 >= a.size()) {
                std::fprintf(stderr, "error: %s needs a value\n", flag);
                return nullptr;
            }
            return &a[++i];
        };
        try {
            if (a[i] == "--corpus") {
                auto v = value("--corpus");
                if (!v) return false;
                out.corpus = *v;
            } else if (a[i] == "--out") {
                auto v = value("--out");
                if (!v) return false;
                out.out = *v;
            } else if (a[i] == "--jobs") {
                auto v = value("--jobs");
                if (!v) return false;
                out.jobs = std::clamp(std::stoi(*v), 1, 64);
            } else if (a[i] == "--seed") {
                auto v = value("--seed");
                if (!v) return false;
                out.seed = std::stoull(*v);
            } else if (a[i] == "--size") {
                auto v = value("--size");
                if (!v) return false;
                out.size = std::max<int64_t>(1, std::stoll(*v));
            } else if (a[i] == "--train-only") {
                out.train_only = true;
            } else if (a[i] == "--labels") {
                auto v = value("--labels");
                if (!v) return false;
                out.labels_out = *v;
            } else if (a[i] == "--cv-out") {
                auto v = value("--cv-out");
                if (!v) return false;
                out.cv_out = *v;
            } else {
                std::fprintf(stderr, "error: unknown option %s\n", a[i].c_str());
                return false;
            }
        } catch (const std::exception&) {
            std::fprintf(stderr, "error: %s needs a number\n", flag.c_str());
            return false;
        }
    }
    if (out.corpus.empty()) {
        std::fprintf(stderr,
                     "usage: faultline train --corpus DIR [--jobs N] [--seed S] [--size N] [--out DIR] "
                     "[--train-only] [--labels FILE] [--cv-out FILE]\n");
        return false;
    }
    if (out.out.empty()) out.out = (std::filesystem::path(out.corpus) / "model").string();
    return true;
}

} // namespace

int run_train(const std::vector<std::string>& args) {
    TrainArgs a;
    if (!parse_args(args, a)) return 2;
    std::error_code ec;
    std::filesystem::create_directories(a.corpus, ec);
    if (ec) {
        std::fprintf(stderr, "error: cannot create %s: %s\n", a.corpus.c_str(), ec.message().c_str());
        return 2;
    }
    const std::string corpus_file = (std::filesystem::path(a.corpus) / "programs.jsonl").string();
    if (!a.labels_out.empty()) return train_steps::write_labels(a, corpus_file);
    if (!a.train_only && !train_steps::generate(a, corpus_file)) return 2;
    return train_steps::train_models(a, corpus_file);
}

} // namespace faultline
