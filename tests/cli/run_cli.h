// Runs the real `faultline` binary the way a user or a CI job does and collects what it printed.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace faultline::test {

struct CliResult {
    int exit_code;
    std::string out;
    std::string err; // only with run_cli(..., /*keep_stderr=*/true)
};

inline CliResult run_cli(const std::string& args, bool keep_stderr = false) {
    const auto err_file = std::filesystem::temp_directory_path() /
                          ("faultline-cli-stderr-" + std::to_string(::getpid()) + ".txt");
    std::string cmd = std::string(FAULTLINE_BINARY) + " " + args + " 2>" +
                      (keep_stderr ? err_file.string() : std::string("/dev/null"));
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    int status = pclose(pipe);
    std::string err;
    if (keep_stderr) {
        std::ifstream in(err_file);
        std::ostringstream text;
        text << in.rdbuf();
        err = text.str();
        std::filesystem::remove(err_file);
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, err};
}

} // namespace faultline::test
