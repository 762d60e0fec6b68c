// The Python files `faultline check PATH...` reads: named files as given, folders walked for *.py.
#pragma once

#include <string>
#include <vector>

namespace faultline::cli {

struct FileList {
    std::vector<std::string> files;   // named files first in argument order, each folder's files sorted
    std::vector<std::string> missing; // paths that name neither a file nor a folder
};

// Walks each folder in `paths` for *.py files, skipping hidden folders, __pycache__, what the folder's own
// .gitignore lists (simple patterns: `name`, `*.py`, `dir/`, `/anchored/path`; `!` negations are not
// supported and are ignored) and what matches an `excludes` glob (same pattern forms). A file named on the
// command line is always checked, whatever its name, as ruff and flake8 do.
FileList collect_python_files(const std::vector<std::string>& paths,
                              const std::vector<std::string>& excludes);

} // namespace faultline::cli
