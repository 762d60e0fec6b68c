// A language-server child process driven synchronously: `faultline eval --through lsp` scores the subjects
// through `faultline lsp` itself, so that the accuracy figures describe what an editor user sees.
#pragma once

#include "faultline/server/framing.h"

#include <nlohmann/json.hpp>

#include <deque>
#include <string>
#include <sys/types.h>

namespace faultline::cli {

class LspChild {
public:
    // Starts `binary lsp` and initializes it with `initialization_options`. Throws std::runtime_error when
    // the process cannot be started or does not answer.
    LspChild(const std::string& binary, const nlohmann::json& initialization_options);
    ~LspChild(); // shutdown, exit, reap
    LspChild(const LspChild&) = delete;
    LspChild& operator=(const LspChild&) = delete;

    struct Probed {
        nlohmann::json diagnostics; // the LSP Diagnostics of the document once its probe is done
        std::string probe_status;   // ok | skipped | failed
    };
    // Opens the document, runs its probe (faultline.runProbe answers when the worker's pipeline is done),
    // pulls its diagnostics and closes it.
    Probed analyze(const std::string& uri, const std::string& text);
    // After analyze() threw on the probe request: pulls what the editor shows for the still open document
    // (status "failed") and closes it.
    Probed after_failed_probe(const std::string& uri);

private:
    nlohmann::json request(const std::string& method, nlohmann::json params); // the result; throws on error
    void notify(const std::string& method, nlohmann::json params);
    void write(const nlohmann::json& message);
    nlohmann::json read_message(); // throws when the server's output ends

    pid_t pid_ = -1;
    int to_server_ = -1;
    int from_server_ = -1;
    int64_t next_id_ = 1;
    server::FrameReader reader_;
    std::deque<std::string> inbox_; // bodies read and not taken yet
};

} // namespace faultline::cli
