#include "file_walk.h"

#include <algorithm>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <optional>
#include <system_error>

namespace faultline::cli {
namespace {

namespace fs = std::filesystem;

// One .gitignore-style pattern.
struct IgnorePattern {
    std::string glob;
    bool anchored = false; // has a '/' before its end: matched against the path from the walked folder
    bool dir_only = false; // ends in '/'
};

std::optional<IgnorePattern> parse_pattern(std::string line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
        line.pop_back();
    if (line.empty() || line[0] == '#' || line[0] == '!') return std::nullopt;
    IgnorePattern p;
    if (line.back() == '/') {
        p.dir_only = true;
        line.pop_back();
    }
    if (!line.empty() && line[0] == '/') line.erase(0, 1);
    if (line.empty()) return std::nullopt;
    p.anchored = line.find('/') != std::string::npos;
    p.glob = line;
    return p;
}

std::vector<IgnorePattern> read_gitignore(const fs::path& root) {
    std::vector<IgnorePattern> patterns;
    std::ifstream in(root / ".gitignore");
    for (std::string line; std::getline(in, line);)
        if (auto p = parse_pattern(line)) patterns.push_back(*p);
    return patterns;
}

bool ignored(const std::vector<IgnorePattern>& patterns, const fs::path& relative, bool is_dir) {
    const std::string rel = relative.generic_string();
    const std::string name = relative.filename().string();
    for (const auto& p : patterns) {
        if (p.dir_only && !is_dir) continue;
        const bool hit = p.anchored ? fnmatch(p.glob.c_str(), rel.c_str(), FNM_PATHNAME) == 0
                                    : fnmatch(p.glob.c_str(), name.c_str(), 0) == 0;
        if (hit) return true;
    }
    return false;
}

bool skipped_folder(const std::string& name) {
    return name == "__pycache__" || (name.size() > 1 && name[0] == '.' && name != "..");
}

std::vector<std::string> walk(const fs::path& root, const std::vector<IgnorePattern>& excludes) {
    std::vector<IgnorePattern> patterns = read_gitignore(root);
    patterns.insert(patterns.end(), excludes.begin(), excludes.end());
    std::vector<std::string> files;
    std::error_code ec;
    // Unreadable sub-folders are passed over rather than ending the walk.
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const fs::path relative = it->path().lexically_relative(root);
        const bool is_dir = it->is_directory(ec);
        if (is_dir) {
            if (skipped_folder(it->path().filename().string()) || ignored(patterns, relative, true))
                it.disable_recursion_pending();
            continue;
        }
        if (it->path().extension() != ".py" || !it->is_regular_file(ec)) continue;
        if (ignored(patterns, relative, false)) continue;
        files.push_back((root / relative).lexically_normal().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

FileList collect_python_files(const std::vector<std::string>& paths,
                              const std::vector<std::string>& excludes) {
    std::vector<IgnorePattern> exclude_patterns;
    for (const auto& e : excludes)
        if (auto p = parse_pattern(e)) exclude_patterns.push_back(*p);
    FileList list;
    for (const auto& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            auto found = walk(path, exclude_patterns);
            list.files.insert(list.files.end(), found.begin(), found.end());
        } else if (fs::exists(path, ec)) {
            list.files.push_back(path);
        } else {
            list.missing.push_back(path);
        }
    }
    return list;
}

} // namespace faultline::cli
