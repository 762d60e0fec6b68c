// A unified diff of two texts (for `faultline check --fix --diff`).
#pragma once

#include <string>

namespace faultline::cli {

std::string unified_diff(const std::string& path, const std::string& before, const std::string& after,
                         int context = 3);

} // namespace faultline::cli
