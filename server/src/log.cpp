#include "faultline/server/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace faultline::server {
namespace {

struct LogState {
    std::mutex mutex;
    std::FILE* file = nullptr; // nullptr: stderr
    LogLevel level = LogLevel::Info;
};

LogState& state() {
    static LogState s;
    return s;
}

const char* tag(LogLevel level) {
    switch (level) {
    case LogLevel::Error:
        return "E";
    case LogLevel::Warn:
        return "W";
    case LogLevel::Info:
        return "I";
    case LogLevel::Debug:
        return "D";
    }
    return "?";
}

} // namespace

std::optional<LogLevel> log_level_from_string(std::string_view s) {
    if (s == "error") return LogLevel::Error;
    if (s == "warn" || s == "warning") return LogLevel::Warn;
    if (s == "info") return LogLevel::Info;
    if (s == "debug" || s == "trace" || s == "verbose") return LogLevel::Debug;
    return std::nullopt;
}

void set_log_file(const std::string& path) {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    if (s.file) std::fclose(s.file);
    s.file = path.empty() ? nullptr : std::fopen(path.c_str(), "a");
    if (!path.empty() && !s.file) std::fprintf(stderr, "faultline: cannot open log file %s\n", path.c_str());
}

void set_log_level(LogLevel level) {
    std::lock_guard lock(state().mutex);
    state().level = level;
}

LogLevel log_level() {
    std::lock_guard lock(state().mutex);
    return state().level;
}

void log(LogLevel level, std::string_view message) {
    LogState& s = state();
    std::lock_guard lock(s.mutex);
    if (level > s.level) return;
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    std::FILE* out = s.file ? s.file : stderr;
    std::fprintf(out, "%s[%s.%03d] %.*s\n", tag(level), stamp, static_cast<int>(ms),
                 static_cast<int>(message.size()), message.data());
    std::fflush(out);
}

} // namespace faultline::server
