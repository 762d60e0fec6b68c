#include "syntax.h"

#include <cstring>
#include <unordered_map>

namespace faultline::syntax {

ParserPtr make_python_parser() {
    ParserPtr parser(ts_parser_new());
    if (!parser || !ts_parser_set_language(parser.get(), tree_sitter_python())) return nullptr;
    return parser;
}

namespace {

// Field ids by name, resolved once: ts_node_child_by_field_name looks the name up on every call.
TSFieldId field_id(const char* name) {
    static const std::unordered_map<std::string_view, TSFieldId> ids = [] {
        std::unordered_map<std::string_view, TSFieldId> m;
        const TSLanguage* lang = tree_sitter_python();
        for (TSFieldId id = 1; id <= ts_language_field_count(lang); ++id)
            if (const char* n = ts_language_field_name_for_id(lang, id)) m.emplace(n, id);
        return m;
    }();
    auto it = ids.find(name);
    return it == ids.end() ? 0 : it->second;
}

} // namespace

TSNode field(TSNode n, const char* name) {
    if (null(n)) return n;
    TSFieldId id = field_id(name);
    if (id == 0) return TSNode{};
    return ts_node_child_by_field_id(n, id);
}

std::string_view text(std::string_view src, TSNode n) {
    if (null(n)) return {};
    uint32_t start = ts_node_start_byte(n);
    uint32_t end = ts_node_end_byte(n);
    if (start > src.size() || end > src.size() || end < start) return {};
    return src.substr(start, end - start);
}

Span span(TSNode n) {
    if (null(n)) return {};
    TSPoint s = ts_node_start_point(n);
    TSPoint e = ts_node_end_point(n);
    return {ts_node_start_byte(n), ts_node_end_byte(n), {s.row, s.column}, {e.row, e.column}};
}

std::vector<TSNode> named_children(TSNode n) {
    std::vector<TSNode> out;
    if (null(n)) return out;
    uint32_t count = ts_node_named_child_count(n);
    out.reserve(count);
    if (count < 16) {
        for (uint32_t i = 0; i < count; ++i) {
            TSNode c = ts_node_named_child(n, i);
            if (!is(c, "comment")) out.push_back(c);
        }
        return out;
    }
    // Long child lists: a cursor steps to each sibling in constant time.
    TSTreeCursor cursor = ts_tree_cursor_new(n);
    if (ts_tree_cursor_goto_first_child(&cursor)) {
        do {
            TSNode c = ts_tree_cursor_current_node(&cursor);
            if (ts_node_is_named(c) && !is(c, "comment")) out.push_back(c);
        } while (ts_tree_cursor_goto_next_sibling(&cursor));
    }
    ts_tree_cursor_delete(&cursor);
    return out;
}

TSNode unwrap(TSNode n) {
    while (is(n, "parenthesized_expression")) {
        auto kids = named_children(n);
        if (kids.size() != 1) break;
        n = kids[0];
    }
    return n;
}

std::string dotted(std::string_view src, TSNode n) {
    // Iterative: attribute chains can be arbitrarily long in generated or hostile input.
    std::vector<std::string_view> parts;
    n = unwrap(n);
    while (is(n, "attribute")) {
        parts.push_back(text(src, field(n, "attribute")));
        n = unwrap(field(n, "object"));
        if (parts.size() > 256) return {};
    }
    if (!is(n, "identifier")) return {};
    std::string out(text(src, n));
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        out += '.';
        out.append(it->data(), it->size());
    }
    return out;
}

std::string_view last_part(std::string_view dotted_name) {
    auto dot = dotted_name.rfind('.');
    return dot == std::string_view::npos ? dotted_name : dotted_name.substr(dot + 1);
}

TSNode receiver(TSNode call) {
    TSNode fn = unwrap(field(call, "function"));
    if (!is(fn, "attribute")) return TSNode{};
    return field(fn, "object");
}

std::string callee_name(std::string_view src, TSNode call) {
    TSNode fn = unwrap(field(call, "function"));
    if (is(fn, "attribute")) return std::string(text(src, field(fn, "attribute")));
    if (is(fn, "identifier")) return std::string(text(src, fn));
    return {};
}

std::optional<std::string> string_literal(std::string_view src, TSNode n) {
    n = unwrap(n);
    if (is(n, "concatenated_string")) {
        std::string out;
        for (TSNode part : named_children(n)) {
            auto s = string_literal(src, part);
            if (!s) return std::nullopt;
            out += *s;
        }
        return out;
    }
    if (!is(n, "string")) return std::nullopt;
    std::string out;
    for (TSNode part : named_children(n)) {
        if (is(part, "string_content")) {
            out += text(src, part);
        } else if (is(part, "interpolation")) {
            return std::nullopt;
        } else if (is(part, "escape_sequence")) {
            auto esc = text(src, part);
            out += esc.size() == 2 && esc[1] == 'n' ? std::string("\n") : std::string(esc.substr(1));
        }
    }
    return out;
}

Args call_args(std::string_view src, TSNode call) {
    Args out;
    TSNode list = field(call, "arguments");
    if (is(list, "generator_expression")) {
        out.positional.push_back(list);
        return out;
    }
    for (TSNode a : named_children(list)) {
        if (is(a, "keyword_argument")) {
            out.keywords.emplace_back(std::string(text(src, field(a, "name"))), field(a, "value"));
        } else if (is(a, "list_splat") || is(a, "dictionary_splat")) {
            out.has_splat = true;
        } else {
            out.positional.push_back(a);
        }
    }
    return out;
}

TSNode arg(const Args& args, int position, std::initializer_list<std::string_view> names) {
    for (std::string_view name : names)
        for (const auto& [k, v] : args.keywords)
            if (k == name) return v;
    if (position >= 0 && static_cast<size_t>(position) < args.positional.size())
        return args.positional[position];
    return TSNode{};
}

std::string cat(std::initializer_list<std::string_view> parts) {
    size_t n = 0;
    for (auto p : parts)
        n += p.size();
    std::string out;
    out.reserve(n);
    for (auto p : parts)
        out.append(p.data(), p.size());
    return out;
}

std::string quoted(std::string_view src, TSNode n) {
    std::string_view t = text(src, n);
    if (t.size() > 60) return cat({"`", t.substr(0, 57), "...`"});
    return cat({"`", t, "`"});
}

std::vector<TSNode> return_statements(TSNode body) {
    std::vector<TSNode> returns;
    std::vector<TSNode> stack{body};
    while (!stack.empty()) {
        TSNode n = stack.back();
        stack.pop_back();
        for (TSNode c : named_children(n)) {
            if (is(c, "function_definition") || is(c, "class_definition")) continue;
            if (is(c, "return_statement"))
                returns.push_back(c);
            else
                stack.push_back(c);
        }
    }
    return returns;
}

} // namespace faultline::syntax
