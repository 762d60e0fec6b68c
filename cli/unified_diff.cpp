#include "unified_diff.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace faultline::cli {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string current;
    for (char c : text) {
        current += c;
        if (c == '\n') {
            lines.push_back(std::move(current));
            current.clear();
        }
    }
    if (!current.empty()) lines.push_back(current + "\n\\ No newline at end of file\n");
    return lines;
}

struct Op {
    char kind; // ' ', '-', '+'
    size_t a;  // line in before (for ' ' and '-')
    size_t b;  // line in after (for ' ' and '+')
};

// Fixes touch a few lines, so the common prefix and suffix are trimmed first and the LCS table only covers the
// changed middle.
std::vector<Op> diff_ops(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
    size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::vector<Op> ops;
    for (size_t i = 0; i < prefix; ++i) ops.push_back({' ', i, i});
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
            ops.push_back({' ', prefix + i++, prefix + j++});
        } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
            ops.push_back({'-', prefix + i++, prefix + j}); // removals first, as diff(1) prints them
        } else {
            ops.push_back({'+', prefix + i, prefix + j++});
        }
    }
    for (size_t k = 0; k < suffix; ++k) ops.push_back({' ', prefix + n + k, prefix + m + k});
    return ops;
}

// The path in the a/ and b/ headers: an absolute path loses its leading '/', as git shows a path outside the
// repository (`--- a/home/me/train.py`), so `patch -p1` run from '/' applies the diff as it does for a relative
// path run from the working folder.
std::string header_path(const std::string& path) {
    size_t start = 0;
    while (start < path.size() && path[start] == '/') ++start;
    return path.substr(start);
}

} // namespace

std::string unified_diff(const std::string& path, const std::string& before, const std::string& after,
                         int context) {
    if (before == after) return {};
    auto a = split_lines(before), b = split_lines(after);
    auto ops = diff_ops(a, b);
    std::ostringstream out;
    out << "--- a/" << header_path(path) << "\n+++ b/" << header_path(path) << "\n";
    size_t k = 0;
    const size_t ctx = static_cast<size_t>(context);
    while (k < ops.size()) {
        while (k < ops.size() && ops[k].kind == ' ') ++k;
        if (k == ops.size()) break;
        size_t start = k >= ctx ? k - ctx : 0;
        // Extend the hunk while changes are within 2*context lines of each other.
        size_t end = k;
        size_t last_change = k;
        while (end < ops.size()) {
            if (ops[end].kind != ' ') last_change = end;
            else if (end - last_change > 2 * ctx) break;
            ++end;
        }
        end = std::min(ops.size(), last_change + ctx + 1);
        size_t a_count = 0, b_count = 0;
        for (size_t x = start; x < end; ++x) {
            if (ops[x].kind != '+') ++a_count;
            if (ops[x].kind != '-') ++b_count;
        }
        size_t a_start = ops[start].a + (a_count ? 1 : 0), b_start = ops[start].b + (b_count ? 1 : 0);
        out << "@@ -" << a_start << "," << a_count << " +" << b_start << "," << b_count << " @@\n";
        for (size_t x = start; x < end; ++x) {
            const std::string& line = ops[x].kind == '+' ? b[ops[x].b] : a[ops[x].a];
            out << ops[x].kind << line;
        }
        k = end;
    }
    return out.str();
}

} // namespace faultline::cli
