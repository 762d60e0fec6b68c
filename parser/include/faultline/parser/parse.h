// Reading a script: a Document owns the text and its tree-sitter tree and turns them into a TrainingProgram.
#pragma once

#include "faultline/parser/program.h"

#include <memory>
#include <string>
#include <string_view>

namespace faultline {

// One text edit in byte offsets, as an editor's incremental change resolves to.
struct TextEdit {
    uint32_t start_byte = 0;
    uint32_t old_end_byte = 0;
    std::string new_text;
};

// A script and its syntax tree. Edits re-parse incrementally (ts_tree_edit + reparse with the old tree).
// Not thread-safe: one owner at a time.
class Document {
public:
    explicit Document(std::string text);
    ~Document();
    Document(Document&&) noexcept;
    Document& operator=(Document&&) noexcept;
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;

    const std::string& text() const { return text_; }
    // Applies one edit; offsets are clamped to the text. Re-parses incrementally.
    void apply(const TextEdit& edit);
    // Replaces the whole text (full re-parse).
    void reset(std::string text);
    bool has_syntax_errors() const;
    // Builds the TrainingProgram from the current tree. Never throws on any input.
    TrainingProgram extract() const;
    // S-expression of the tree (tests and debugging).
    std::string sexp() const;

private:
    struct Tree;
    std::string text_;
    std::unique_ptr<Tree> tree_;
};

// Parse and extract in one call.
TrainingProgram parse_program(std::string_view text);

} // namespace faultline
