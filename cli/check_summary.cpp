#include "check_summary.h"

#include <sstream>
#include <unistd.h>

namespace faultline::cli {
namespace {

std::string count(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace

std::string summary_line(const std::vector<FileReport>& reports, double seconds) {
    size_t by_severity[5] = {};
    size_t ok = 0, skipped = 0, failed = 0;
    for (const auto& r : reports) {
        for (const auto& f : r.findings)
            ++by_severity[static_cast<int>(f.severity)];
        switch (r.trace.status) {
        case ProbeStatus::Ok:
            ++ok;
            break;
        case ProbeStatus::Skipped:
            ++skipped;
            break;
        case ProbeStatus::Failed:
            ++failed;
            break;
        }
    }
    char time[32];
    std::snprintf(time, sizeof time, "%.1f s", seconds);
    std::ostringstream out;
    out << "checked " << count(reports.size(), "file", "files") << ": "
        << count(by_severity[static_cast<int>(Severity::Error)], "error", "errors") << ", "
        << count(by_severity[static_cast<int>(Severity::Warning)], "warning", "warnings") << ", "
        << by_severity[static_cast<int>(Severity::Information)] << " info, "
        << count(by_severity[static_cast<int>(Severity::Hint)], "hint", "hints") << "; probes " << ok
        << " ok, " << skipped << " skipped, " << failed << " failed; " << time;
    return out.str();
}

Progress::Progress(size_t total) : total_(total), enabled_(total > 1 && ::isatty(STDERR_FILENO)) {}

Progress::~Progress() {
    if (enabled_) std::fputs("\r\033[K", stderr); // the summary line takes the counter's place
}

void Progress::done(const std::string& path) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    ++done_;
    std::fprintf(stderr, "\r\033[K[%zu/%zu] %s", done_, total_, path.c_str());
    std::fflush(stderr);
}

} // namespace faultline::cli
