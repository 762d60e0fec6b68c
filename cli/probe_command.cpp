#include "commands.h"

#include "faultline/engine/pipeline.h"
#include "faultline/engine/probe.h"
#include "faultline/engine/report.h"
#include "faultline/parser/parse.h"

#include <cstdio>
#include <iostream>

namespace faultline::cli {

bool parse_probe_option(const Args& args, size_t& i, AnalysisOptions& options, std::string& error);

int probe_command(const Args& args) {
    AnalysisOptions options;
    bool json = false;
    std::string file;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string error;
        if (args[i] == "--json") {
            json = true;
        } else if (parse_probe_option(args, i, options, error)) {
            if (!error.empty()) return usage_error(error);
        } else if (!args[i].empty() && args[i][0] == '-') {
            return usage_error("unknown option: " + args[i]);
        } else if (file.empty()) {
            file = args[i];
        } else {
            return usage_error("probe takes one FILE");
        }
    }
    if (file.empty()) return usage_error("probe needs a FILE");
    std::string text, error;
    if (!read_file(file, text, error)) return usage_error(error);
    TrainingProgram program = parse_program(text);
    ProbeResult result = run_probe(program, options.probe_options, nullptr, [&](const ProbeProgress& p) {
        if (!json)
            std::fprintf(stderr, "epoch %lld/%lld loss %.4f acc %.3f\n", static_cast<long long>(p.epoch),
                         static_cast<long long>(p.total_epochs), p.train_loss, p.train_acc);
    });
    LineIndex index(text);
    if (json) {
        nlohmann::json out = result.trace;
        nlohmann::json build = nlohmann::json::array();
        for (const auto& f : result.build_findings) build.push_back(lsp_diagnostic(f, index, PositionEncoding::Utf16, file));
        out["build_findings"] = build;
        std::cout << out.dump(2) << "\n";
    } else {
        FileReport report{file, text, result.build_findings, result.trace, {}};
        std::cout << format_text({report});
        for (const auto& [name, values] : result.trace.series) {
            std::printf("  %-18s", name.c_str());
            for (double v : values) std::printf(" %.4g", v);
            std::printf("\n");
        }
    }
    return result.trace.status == ProbeStatus::Failed ? 1 : 0;
}

} // namespace faultline::cli
