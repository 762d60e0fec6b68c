// faultline: find the faulty statements in deep-learning training scripts.
#include "commands.h"

#include "faultline/engine/train.h"
#include "faultline/server/server.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

constexpr const char* kHelp = R"(faultline - find the faulty statements in deep-learning training scripts

usage:
  faultline check [options] PATH...   diagnose scripts and print findings; a folder is walked for *.py
                                      (hidden folders, __pycache__ and its .gitignore's entries left out)
      --format text|json|sarif        output format (default text)
      --no-probe                      static checks only (no probe training)
      --no-whatif                     no what-if probes (FL301-FL308): faster, classifier alarms unconfirmed
      --budget SECONDS                probe time budget per script (default 3)
      --seed N                        probe seed (default 1)
      --fix                           apply the best fix of each finding to the file
      --diff                          with --fix: print a unified diff instead of writing
      --exclude GLOB                  leave out what a folder walk finds matching GLOB (gitignore-style;
                                      repeatable)
      --jobs N                        files checked in parallel (default: the number of cores)
      --select CODES                  report only these rules (codes or prefixes: FL151,FL2)
      --ignore CODES                  never report these rules (codes or prefixes)
      --exit-zero                     exit 0 even when there are findings
                                      ([tool.faultline] in the nearest pyproject.toml sets select,
                                      ignore, budget and severity overrides; `# noqa: FL151` or
                                      `# faultline: ignore[FL151]` on a line suppresses it there)
  faultline lsp [--stdio] [--clientProcessId PID] [--log FILE]
                                      run the language server over stdio
  faultline probe FILE [--json] [--budget SECONDS] [--seed N]
                                      run the probe and print its trace
  faultline train --corpus DIR [options]
                                      build the seeded corpus, probe it and train the diagnosis models
      --jobs N                        parallel probes (default 1)
      --seed S                        seed of the corpus plan and of the learner (default 1)
      --size N                        programs planned, bases and mutants (default 4000); multi-fault
                                      slots their base cannot fill leave it (about 12%)
      --out DIR                       where the models are written (default DIR/model)
      --train-only                    train on the programs already recorded, probe nothing
      --labels FILE                   write each program's labels and split, then stop
      --cv-out FILE                   write each program's cross-validated probabilities
  faultline eval DIR [--json] [--no-probe] [--no-whatif] [--budget S] [--through cli|lsp]
                                      score the subjects in DIR (buggy.py, fixed.py, truth.json);
                                      --through lsp: each file through `faultline lsp`, as an editor sees it
  faultline --version | --help        (COMMAND --help: this text)

exit codes: 0 no findings, 1 findings of severity warning or error, 2 usage or input error.
faultline never executes the scripts it reads.
)";

int lsp_command(const faultline::cli::Args& args, const char* self) {
    faultline::ServerOptions options;
    options.self_path = self;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--stdio") continue;
        if ((a == "--clientProcessId" || a == "--log") && i + 1 < args.size()) {
            const std::string& v = args[++i];
            if (a == "--log") {
                options.log_file = v;
                continue;
            }
            char* end = nullptr;
            long pid = std::strtol(v.c_str(), &end, 10);
            if (!end || *end != '\0' || pid <= 0)
                return faultline::cli::usage_error("invalid --clientProcessId: " + v);
            options.client_process_id = static_cast<int>(pid);
        } else if (a.rfind("--clientProcessId=", 0) == 0) {
            options.client_process_id = std::atoi(a.c_str() + 18);
        } else {
            return faultline::cli::usage_error("unknown option for lsp: " + a);
        }
    }
    return faultline::run_language_server(options);
}

} // namespace

int main(int argc, char** argv) {
    // One BLAS thread per process: the probe sets torch's own thread count (toolchain.md: OpenBLAS and torch
    // threads together oversubscribe 2 cores).
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    faultline::cli::Args args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(kHelp, stderr);
        return 2;
    }
    std::string command = args.front();
    faultline::cli::Args rest(args.begin() + 1, args.end());
    if (command == "--help" || command == "-h" || command == "help") {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (command == "--version" || command == "-V") {
        std::printf("faultline %s\n", FAULTLINE_VERSION);
        return 0;
    }
    // `faultline check --help` is this text too: every command's options are listed in it.
    for (const auto& a : rest)
        if ((a == "--help" || a == "-h") && command != "worker") {
            std::fputs(kHelp, stdout);
            return 0;
        }
    // Malformed input files (a truth.json of the wrong shape, say) surface as exceptions from the JSON
    // library: one line on stderr and exit code 2, never an abort.
    try {
        if (command == "check") return faultline::cli::check_command(rest);
        if (command == "lsp") return lsp_command(rest, argv[0]);
        if (command == "worker") return faultline::run_probe_worker();
        if (command == "probe") return faultline::cli::probe_command(rest);
        if (command == "train") return faultline::run_train(rest);
        if (command == "eval") return faultline::cli::eval_command(rest);
    } catch (const std::exception& e) {
        return faultline::cli::usage_error(command + ": " + e.what());
    }
    return faultline::cli::usage_error("unknown command or option: " + command + " (see faultline --help)");
}
