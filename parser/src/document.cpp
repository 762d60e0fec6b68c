// Document: the text, its tree, incremental edits, and the extraction entry point.
#include "faultline/parser/parse.h"

#include "extract.h"

#include <algorithm>
#include <exception>

namespace faultline {

using namespace syntax;

struct Document::Tree {
    ParserPtr parser;
    TreePtr tree;
};

namespace {

TreePtr parse(TSParser* parser, const TSTree* old, const std::string& text) {
    if (!parser) return nullptr;
    return TreePtr(ts_parser_parse_string(parser, old, text.data(), static_cast<uint32_t>(text.size())));
}

// The point just after `text` when it starts at `start`.
TSPoint point_after(TSPoint start, std::string_view text) {
    for (char c : text) {
        if (c == '\n') {
            ++start.row;
            start.column = 0;
        } else {
            ++start.column;
        }
    }
    return start;
}

TSPoint point_at(std::string_view text, uint32_t offset) {
    TSPoint p{0, 0};
    size_t line_start = text.rfind('\n', offset == 0 ? std::string_view::npos : offset - 1);
    p.row = static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
    p.column = line_start == std::string_view::npos ? offset : offset - static_cast<uint32_t>(line_start) - 1;
    if (offset == 0) p.column = 0;
    return p;
}

// Every value left unknown says so, even when no reader reached it.
template <class T> void explain(Value<T>& v, const char* why) {
    if (v.kind == OriginKind::Unknown && !v.known() && v.note.empty()) v.note = why;
}

void explain_missing(TrainingProgram& p) {
    explain(p.loss.name, "no loss found in the script");
    explain(p.optimizer.name, "no optimizer found in the script");
    explain(p.optimizer.lr, "no learning rate found in the script");
    const char* not_set = p.optimizer.name.known() ? "not a setting of this optimizer, or not read for it"
                                                   : "no optimizer found in the script";
    explain(p.optimizer.momentum, not_set);
    explain(p.optimizer.decay, not_set);
    explain(p.optimizer.nesterov, not_set);
    explain(p.epochs, p.framework == Framework::TF1 ? "no epoch loop around the training op"
                                                    : "no training call or loop found in the script");
    explain(p.steps, p.framework == Framework::TF1 ? "no loop around the training op"
                                                   : "training is counted in epochs");
    explain(p.batch_size, "no batch size found in the script");
    explain(p.data.source, "the training data is not found in the script");
    explain(p.data.num_samples, "the number of training rows is not known");
    explain(p.data.num_classes, "the number of classes is not known");
    explain(p.data.scaled, "the training data is not followed");
    explain(p.data.input_min, "the value range of the training data is not known");
    explain(p.data.input_max, "the value range of the training data is not known");
    for (Layer& l : p.layers) {
        explain(l.units, "this layer kind has no units");
        explain(l.activation, "this layer kind has no activation");
        explain(l.kernel_initializer, "this layer kind has no kernel");
        explain(l.bias_initializer, "this layer kind has no bias");
    }
}

} // namespace

Document::Document(std::string text) : text_(std::move(text)), tree_(std::make_unique<Tree>()) {
    tree_->parser = make_python_parser();
    tree_->tree = parse(tree_->parser.get(), nullptr, text_);
}

Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

void Document::apply(const TextEdit& edit) {
    uint32_t size = static_cast<uint32_t>(text_.size());
    uint32_t start = std::min(edit.start_byte, size);
    uint32_t old_end = std::clamp(edit.old_end_byte, start, size);
    TSInputEdit e{};
    e.start_byte = start;
    e.old_end_byte = old_end;
    e.new_end_byte = start + static_cast<uint32_t>(edit.new_text.size());
    e.start_point = point_at(text_, start);
    e.old_end_point = point_at(text_, old_end);
    e.new_end_point = point_after(e.start_point, edit.new_text);
    text_.replace(start, old_end - start, edit.new_text);
    if (!tree_) tree_ = std::make_unique<Tree>(Tree{make_python_parser(), nullptr});
    if (!tree_->tree) {
        tree_->tree = parse(tree_->parser.get(), nullptr, text_);
        return;
    }
    ts_tree_edit(tree_->tree.get(), &e);
    tree_->tree = parse(tree_->parser.get(), tree_->tree.get(), text_);
}

void Document::reset(std::string text) {
    text_ = std::move(text);
    if (!tree_) tree_ = std::make_unique<Tree>(Tree{make_python_parser(), nullptr});
    tree_->tree = parse(tree_->parser.get(), nullptr, text_);
}

bool Document::has_syntax_errors() const {
    return !tree_ || !tree_->tree || ts_node_has_error(ts_tree_root_node(tree_->tree.get()));
}

std::string Document::sexp() const {
    if (!tree_ || !tree_->tree) return {};
    char* s = ts_node_string(ts_tree_root_node(tree_->tree.get()));
    std::string out(s ? s : "");
    free(s);
    return out;
}

TrainingProgram Document::extract() const {
    TrainingProgram prog;
    if (!tree_ || !tree_->tree) {
        prog.has_syntax_errors = true;
        prog.notes.push_back({{}, "the Python grammar could not be loaded; nothing was read", true});
        return prog;
    }
    TSNode root = ts_tree_root_node(tree_->tree.get());
    prog.has_syntax_errors = ts_node_has_error(root);
    try {
        Scope scope(text_, root);
        Evaluator ev(text_, scope);
        Context cx{text_, root, scope, ev, prog};
        prog.framework = detect_framework(scope);
        switch (prog.framework) {
        case Framework::Keras:
        case Framework::TfKeras:
            extract_keras(cx);
            break;
        case Framework::PyTorch:
            extract_pytorch(cx);
            break;
        case Framework::TF1:
            extract_tf1(cx);
            break;
        case Framework::Unknown:
            cx.note(root, "no Keras, TensorFlow or PyTorch import found", true);
            fill_data_fallback(cx);
            break;
        }
        assume_unknown_sizes(cx);
        read_numerics(cx);
        explain_missing(prog);
        if (prog.has_syntax_errors)
            cx.note(root, "the script has syntax errors; what follows them may be missing",
                    !prog.has_model());
    } catch (const std::exception& e) {
        prog.notes.push_back({{}, std::string("internal parser error: ") + e.what(), true});
    } catch (...) {
        prog.notes.push_back({{}, "internal parser error", true});
    }
    return prog;
}

TrainingProgram parse_program(std::string_view text) {
    return Document(std::string(text)).extract();
}

} // namespace faultline
