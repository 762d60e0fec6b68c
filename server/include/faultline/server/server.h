// The language server's entry points, called by the command line front end (`faultline lsp`, `faultline
// worker`).
#pragma once

#include <optional>
#include <string>

namespace faultline {

struct ServerOptions {
    std::optional<int> client_process_id; // exit when this process dies (--clientProcessId)
    std::string log_file;                 // empty: log to stderr
    std::string self_path;                // argv[0], to spawn `<self_path> worker` for probes
};

// Serves LSP over stdin/stdout until `exit` (or end of input). Returns the process exit code: 0 after
// shutdown + exit, 1 for an exit without shutdown.
int run_language_server(const ServerOptions& options);

// The probe worker (`faultline worker`): reads analysis requests as JSON lines on stdin and answers with
// progress events and a final result on stdout. A crash here (torch, memory) never takes the server down.
int run_probe_worker();

} // namespace faultline
