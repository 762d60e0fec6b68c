// Where a finding's documentation link points. A link is only given when it can resolve: to a docs address
// the user sets, or to the docs installed beside the binary; otherwise findings carry no link at all.
#pragma once

#include <string>

namespace faultline {

// The address of rules.md, chosen from:
//   1. `docs_url` (FAULTLINE_DOCS_URL): the address of a copy of the docs folder, e.g. an internal web
//   server;
//   2. the installed docs: PREFIX/share/doc/faultline/rules.md, with the binary at PREFIX/bin/`executable`,
//      as a file:// URI;
//   3. none: the empty string.
std::string rules_doc_address(const std::string& docs_url, const std::string& executable);

// rules_doc_address for this process (FAULTLINE_DOCS_URL and /proc/self/exe), computed once.
const std::string& installed_rules_doc();

// The link of a code's section in rules.md (`<address>#fl101`; every code is a `## FL101` heading), or the
// empty string when there is no address.
std::string rule_docs_url(const std::string& code);

// A file:// URI for a path, percent-encoding what a URI cannot hold.
std::string file_uri(const std::string& path);

} // namespace faultline
