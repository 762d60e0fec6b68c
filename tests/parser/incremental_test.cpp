#include "helpers.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace faultline;
using namespace faultline::test;

namespace {

// Everything a program says, spans included, as text: equal summaries mean equal programs for these tests.
template <class T> void put(std::ostringstream& os, const char* name, const Value<T>& v) {
    os << name << "=";
    if (v.known()) os << *v;
    os << "/" << static_cast<int>(v.kind) << v.origin << v.note;
    for (const Span& u : v.uses)
        os << "u" << u;
    if (v.literal) os << "l" << *v.literal;
    os << "\n";
}

std::string summary(const TrainingProgram& p) {
    std::ostringstream os;
    os << to_string(p.framework) << p.model_span << p.compile_call << p.fit_call << p.has_syntax_errors
       << "\n";
    for (const Layer& l : p.layers) {
        os << l.kind << l.span << l.padding;
        put(os, "units", l.units);
        put(os, "act", l.activation);
        put(os, "kinit", l.kernel_initializer);
        for (const auto& [k, v] : l.params)
            put(os, k.c_str(), v);
        for (int64_t d : l.input_shape)
            os << d << ",";
    }
    put(os, "loss", p.loss.name);
    put(os, "opt", p.optimizer.name);
    put(os, "lr", p.optimizer.lr);
    put(os, "epochs", p.epochs);
    put(os, "batch", p.batch_size);
    put(os, "source", p.data.source);
    put(os, "scaled", p.data.scaled);
    for (const Note& n : p.notes)
        os << n.span << n.message << n.blocks_probe << "\n";
    return os.str();
}

TextEdit replace(const std::string& text, const std::string& what, const std::string& with,
                 const std::string& anchor = "") {
    Span s = span_of(text, what, anchor);
    return {s.start_byte, s.end_byte, with};
}

} // namespace

TEST_CASE("Incremental edits give the same tree and program as a fresh parse", "[parser][incremental]") {
    std::string text = read_fixture("keras_mnist_sequential.py");
    Document doc(text);
    std::vector<std::pair<std::string, std::string>> edits = {
        {"0.1", "0.01"},                         // a literal changes length
        {"epochs=20", "epochs=200"},             // a keyword value
        {"Dropout(0.2)", "Dropout(0.2"},         // break the syntax
        {"Dropout(0.2", "Dropout(0.3)"},         // and repair it
        {"from keras", "import os\nfrom keras"}, // insert a line at the start
        {"'relu'", "'tanh'"},
    };
    for (const auto& [what, with] : edits) {
        INFO("edit " << what << " -> " << with);
        TextEdit e = replace(doc.text(), what, with);
        doc.apply(e);
        text.replace(e.start_byte, e.old_end_byte - e.start_byte, e.new_text);
        REQUIRE(doc.text() == text);
        Document fresh(text);
        CHECK(doc.sexp() == fresh.sexp());
        CHECK(doc.has_syntax_errors() == fresh.has_syntax_errors());
        CHECK(summary(doc.extract()) == summary(fresh.extract()));
    }
    TrainingProgram p = doc.extract();
    CHECK(*p.optimizer.lr == Approx(0.01));
    CHECK(p.optimizer.lr.origin.start.row == 13); // one line was inserted above
    CHECK(*p.epochs == 200);
    CHECK(*p.layers.at(0).activation == "tanh");
    CHECK(*p.layers.at(1).params.at("rate") == Approx(0.3));
}

TEST_CASE("Edits with out-of-range offsets are clamped", "[parser][incremental]") {
    Document doc("import keras\n");
    doc.apply({100, 200, "x = 1\n"});
    CHECK(doc.text() == "import keras\nx = 1\n");
    doc.apply({5, 2, "Z"}); // old end before start: nothing removed
    CHECK(doc.text() == "imporZt keras\nx = 1\n");
    doc.reset("import torch\n");
    CHECK(doc.extract().framework == Framework::PyTorch);
}

TEST_CASE(
    "Random edits (multi-byte text, newlines, deletions) keep the incremental tree equal to a fresh parse",
    "[parser][incremental]") {
    std::string text = read_fixture("torch_mnist_module.py");
    Document doc(text);
    const std::vector<std::string> pool = {"x", "\n", "é", "🔥", "(", ")", "    ", "0.5", ":", "\n\n", "'"};
    uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 8) & 0xFFFFFF;
    };
    for (int step = 0; step < 150; ++step) {
        uint32_t size = static_cast<uint32_t>(text.size());
        uint32_t start = size ? next() % size : 0;
        // Keep edits on UTF-8 boundaries, as an editor's edits are.
        while (start > 0 && start < size && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
            --start;
        uint32_t end = std::min<uint32_t>(size, start + next() % 4);
        while (end < size && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            ++end;
        std::string insert = next() % 3 == 0 ? std::string() : pool[next() % pool.size()];
        doc.apply({start, end, insert});
        text.replace(start, end - start, insert);
        REQUIRE(doc.text() == text);
        if (step % 10 == 9) {
            INFO("step " << step);
            Document fresh(text);
            CHECK(doc.sexp() == fresh.sexp());
            CHECK(summary(doc.extract()) == summary(fresh.extract()));
        }
    }
}

TEST_CASE("A moved-from Document is empty but usable", "[parser][incremental]") {
    Document a("import keras\n");
    Document b(std::move(a));
    CHECK(b.extract().framework == Framework::Keras);
    CHECK_NOTHROW(a.extract()); // NOLINT(bugprone-use-after-move): the point of the test
    a.reset("import torch\n");
    CHECK(a.extract().framework == Framework::PyTorch);
}
