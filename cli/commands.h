// The subcommands of `faultline`. Each returns the process exit code: 0 clean, 1 findings, 2 usage or I/O error.
#pragma once

#include <string>
#include <vector>

namespace faultline::cli {

using Args = std::vector<std::string>;

int check_command(const Args& args);
int probe_command(const Args& args);
int eval_command(const Args& args);

// A one-line error on stderr, exit code 2 (as ruff and flake8 do for usage errors).
int usage_error(const std::string& message);

// Reads a whole file; false with `error` set when it cannot.
bool read_file(const std::string& path, std::string& text, std::string& error);

} // namespace faultline::cli
