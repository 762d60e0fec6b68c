// A thin layer over the tree-sitter C API: owning handles and the node queries every extractor needs.
#pragma once

#include "faultline/parser/source.h"

#include <tree_sitter/api.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" const TSLanguage* tree_sitter_python(void);

namespace faultline::syntax {

struct ParserDeleter {
    void operator()(TSParser* p) const { ts_parser_delete(p); }
};
struct TreeDeleter {
    void operator()(TSTree* t) const { ts_tree_delete(t); }
};
using ParserPtr = std::unique_ptr<TSParser, ParserDeleter>;
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

// A parser set to the Python grammar; null if the grammar's ABI does not match the runtime.
ParserPtr make_python_parser();

inline bool null(TSNode n) {
    return ts_node_is_null(n);
}
inline std::string_view type(TSNode n) {
    return null(n) ? std::string_view{} : ts_node_type(n);
}
inline bool is(TSNode n, std::string_view t) {
    return type(n) == t;
}
TSNode field(TSNode n, const char* name);
std::string_view text(std::string_view src, TSNode n);
Span span(TSNode n);
std::vector<TSNode> named_children(TSNode n);
// The return statements of a function body, not those of functions or classes nested in it.
std::vector<TSNode> return_statements(TSNode body);
// Skips redundant parentheses: ((x)) -> x.
TSNode unwrap(TSNode n);

// "keras.layers.Dense" for an identifier or an attribute chain of identifiers, "" for anything else.
std::string dotted(std::string_view src, TSNode n);
// The part after the last dot ("Dense" for "keras.layers.Dense").
std::string_view last_part(std::string_view dotted_name);
// The receiver of a method call `a.b.c(...)`: the `a.b` node, or null when the callee is not an attribute.
TSNode receiver(TSNode call);
// The method name of a call `x.fit(...)` ("fit"), or the function's dotted name's last part.
std::string callee_name(std::string_view src, TSNode call);

// The value of a plain string literal (no f-string interpolation); nullopt otherwise.
std::optional<std::string> string_literal(std::string_view src, TSNode n);

// The arguments of a call, split into positional and keyword arguments.
struct Args {
    std::vector<TSNode> positional;
    std::vector<std::pair<std::string, TSNode>> keywords; // name, value
    bool has_splat = false;                               // *args or **kwargs: some arguments are unknown
};
Args call_args(std::string_view src, TSNode call);
// The argument given by keyword (any of `names`) or else at `position` (-1: keyword only). Null if absent.
TSNode arg(const Args& args, int position, std::initializer_list<std::string_view> names);

// Concatenation that GCC 12's -Wrestrict false positive on `"lit" + std::string` does not trip over.
std::string cat(std::initializer_list<std::string_view> parts);
// "`text`" of a node, shortened to about 60 characters, for notes.
std::string quoted(std::string_view src, TSNode n);

} // namespace faultline::syntax
