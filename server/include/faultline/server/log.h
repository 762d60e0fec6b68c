// The server's log: stderr or a file, never stdout (stdout carries the protocol).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faultline::server {

enum class LogLevel { Error = 0, Warn = 1, Info = 2, Debug = 3 };
std::optional<LogLevel> log_level_from_string(std::string_view s);

// Thread-safe; the worker-watching code and the I/O thread both write here.
void set_log_file(const std::string& path); // empty: stderr
void set_log_level(LogLevel level);
LogLevel log_level();
void log(LogLevel level, std::string_view message);

inline void log_error(std::string_view m) {
    log(LogLevel::Error, m);
}
inline void log_warn(std::string_view m) {
    log(LogLevel::Warn, m);
}
inline void log_info(std::string_view m) {
    log(LogLevel::Info, m);
}
inline void log_debug(std::string_view m) {
    log(LogLevel::Debug, m);
}

} // namespace faultline::server
