// What `faultline check` tells a person on stderr: progress while it runs (on a terminal) and one summary
// line.
#pragma once

#include "faultline/engine/report.h"

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace faultline::cli {

// "checked 12 files: 1 error, 3 warnings, 2 info, 0 hints; probes 4 ok, 7 skipped, 1 failed; 9.4 s"
std::string summary_line(const std::vector<FileReport>& reports, double seconds);

// A one-line counter rewritten in place on stderr; silent unless stderr is a terminal.
class Progress {
public:
    explicit Progress(size_t total);
    ~Progress();
    void done(const std::string& path); // thread-safe

private:
    size_t total_;
    size_t done_ = 0;
    bool enabled_;
    std::mutex mutex_;
};

} // namespace faultline::cli
