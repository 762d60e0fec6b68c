// `faultline worker`: the probe worker process.
#include "faultline/engine/pipeline.h"
#include "faultline/server/server.h"
#include "faultline/server/worker_protocol.h"

#include <ext/stdio_filebuf.h>

#include <csignal>
#include <iostream>
#include <unistd.h>

namespace faultline {

int run_probe_worker() {
    // Same stdout discipline as the server: torch and friends may print; the pipe must carry only events.
    int protocol_fd = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    __gnu_cxx::stdio_filebuf<char> buffer(protocol_fd, std::ios::out);
    std::ostream out(&buffer);
    std::signal(SIGPIPE, SIG_IGN);
    return server::serve_worker(std::cin, out,
                                [](const std::string& text, const AnalysisOptions& options,
                                   const std::atomic<bool>* cancel,
                                   const std::function<void(const ProbeProgress&)>& progress) {
                                    // The whole pipeline, as `faultline check` runs it.
                                    return analyze_text(text, options, cancel, progress);
                                });
}

} // namespace faultline
