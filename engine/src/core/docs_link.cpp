#include "faultline/engine/docs_link.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace faultline {

std::string file_uri(const std::string& path) {
    if (path.rfind("file://", 0) == 0) return path;
    std::string out = "file://";
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::string rules_doc_address(const std::string& docs_url, const std::string& executable) {
    if (!docs_url.empty()) {
        std::string base = docs_url;
        while (!base.empty() && base.back() == '/')
            base.pop_back();
        return base + "/rules.md";
    }
    if (executable.empty()) return {};
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path prefix = fs::path(executable).parent_path().parent_path();
    const fs::path rules = prefix / "share" / "doc" / "faultline" / "rules.md";
    if (!fs::is_regular_file(rules, ec)) return {};
    return file_uri(fs::weakly_canonical(rules, ec).string());
}

const std::string& installed_rules_doc() {
    static const std::string address = [] {
        const char* url = std::getenv("FAULTLINE_DOCS_URL");
        std::error_code ec;
        const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
        return rules_doc_address(url ? url : "", self);
    }();
    return address;
}

std::string rule_docs_url(const std::string& code) {
    const std::string& address = installed_rules_doc();
    if (address.empty() || code.empty()) return {};
    std::string anchor;
    for (char c : code)
        anchor += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return address + "#" + anchor;
}

} // namespace faultline
