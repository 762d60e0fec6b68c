// Hand-built TrainingPrograms for the engine tests: a script's text plus the values a parser would extract
// from it, each with the span of the text it came from, so findings' ranges and fixes can be checked against
// the text without depending on the parser.
#pragma once

#include "faultline/engine/finding.h"
#include "faultline/parser/program.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fltest {

using namespace faultline;

class Script {
public:
    explicit Script(std::string text) : text_(std::move(text)) {}
    const std::string& text() const { return text_; }

    // The span of the nth occurrence of `needle` at or after `from`. Fails the test when absent.
    Span find(std::string_view needle, size_t nth = 0, uint32_t from = 0) const {
        size_t pos = from;
        for (size_t i = 0;; ++i) {
            pos = text_.find(needle, pos);
            REQUIRE(pos != std::string::npos);
            if (i == nth) break;
            pos += 1;
        }
        return make_span(text_, static_cast<uint32_t>(pos), static_cast<uint32_t>(pos + needle.size()));
    }
    // `needle` inside `outer`.
    Span find_in(const Span& outer, std::string_view needle) const {
        Span s = find(needle, 0, outer.start_byte);
        REQUIRE(s.end_byte <= outer.end_byte);
        return s;
    }
    std::string_view at(const Span& s) const {
        return std::string_view(text_).substr(s.start_byte, s.end_byte - s.start_byte);
    }
    uint32_t line_of(const Span& s) const { return s.start.row; }
    // 0-based line of the first line containing `needle`.
    uint32_t line(std::string_view needle) const { return find(needle).start.row; }

    // Applies non-overlapping edits (tests only build a few).
    std::string apply(std::vector<Replacement> edits) const {
        std::sort(edits.begin(), edits.end(), [](const Replacement& a, const Replacement& b) {
            return a.range.start_byte > b.range.start_byte;
        });
        std::string out = text_;
        for (const auto& e : edits)
            out.replace(e.range.start_byte, e.range.end_byte - e.range.start_byte, e.new_text);
        return out;
    }

private:
    std::string text_;
};

template <class T> Value<T> literal(T v, const Span& s) {
    Value<T> x;
    x.value = std::move(v);
    x.kind = OriginKind::Literal;
    x.origin = s;
    x.literal = s;
    return x;
}

// A literal set through a name: `name = 0.1` at `origin`, the literal at `lit`, used at `use`.
template <class T> Value<T> named(T v, const Span& origin, const Span& lit, const Span& use) {
    Value<T> x = literal(std::move(v), lit);
    x.origin = origin;
    x.uses.push_back(use);
    return x;
}

template <class T> Value<T> defaulted(T v, const Span& call) {
    Value<T> x;
    x.value = std::move(v);
    x.kind = OriginKind::Default;
    x.origin = call;
    return x;
}

template <class T> Value<T> unknown(const Span& where, std::string why = "not resolved") {
    Value<T> x;
    x.kind = OriginKind::Unknown;
    x.origin = where;
    x.note = std::move(why);
    return x;
}

// A Keras layer written as `call` in the script: kind is the name before '('; units are the first positional
// number or `units=`; activation is `activation='x'` (a literal) or the layer default (linear for Dense).
inline Layer keras_layer(const Script& s, std::string_view call, size_t nth = 0) {
    Layer l;
    l.span = s.find(call, nth);
    l.kind = std::string(call.substr(0, call.find('(')));
    if (auto dot = l.kind.rfind('.'); dot != std::string::npos) l.kind = l.kind.substr(dot + 1);
    std::string_view args = call.substr(call.find('(') + 1);
    if (l.kind == "Activation") {
        size_t q = args.find_first_of("'\"");
        size_t e = args.find(args[q], q + 1);
        Span lit = s.find_in(l.span, args.substr(q, e - q + 1));
        l.activation = literal(std::string(args.substr(q + 1, e - q - 1)), lit);
        return l;
    }
    if (l.kind == "Dense") {
        std::string_view u = args;
        if (auto k = args.find("units="); k != std::string_view::npos) u = args.substr(k + 6);
        size_t end = u.find_first_not_of("0123456789");
        Span lit = s.find_in(l.span, u.substr(0, end));
        l.units = literal<int64_t>(std::stoll(std::string(u.substr(0, end))), lit);
    }
    if (auto a = args.find("activation="); a != std::string_view::npos) {
        std::string_view rest = args.substr(a + 11);
        size_t e = rest.find(rest[0], 1);
        Span lit = s.find_in(l.span, rest.substr(0, e + 1));
        l.activation = literal(std::string(rest.substr(1, e - 1)), lit);
    } else if (l.kind == "Dense") {
        l.activation = defaulted<std::string>("linear", l.span);
    }
    return l;
}

// compile(loss='x'): the loss string literal, text `quoted` including its quotes.
inline Loss keras_loss(const Script& s, std::string_view quoted, std::string canonical) {
    Loss loss;
    Span lit = s.find(quoted);
    loss.name = literal(std::move(canonical), lit);
    loss.call = lit;
    loss.written_as_string = true;
    return loss;
}

inline Optimizer string_optimizer(const Script& s, std::string_view quoted, std::string name,
                                  double default_lr) {
    Optimizer o;
    Span lit = s.find(quoted);
    o.name = literal(std::move(name), lit);
    o.lr = defaulted(default_lr, lit);
    o.call = lit;
    o.written_as_string = true;
    o.lr_keyword = "learning_rate";
    return o;
}

// `SGD(lr=3.0)`: the constructor call and the lr literal inside it.
inline Optimizer ctor_optimizer(const Script& s, std::string_view call, std::string name,
                                std::string_view lr_text, double lr) {
    Optimizer o;
    o.call = s.find(call);
    o.name = literal(std::move(name), o.call);
    o.lr = literal(lr, s.find_in(o.call, lr_text));
    o.lr_keyword = "lr";
    return o;
}

inline std::vector<std::string> codes(const std::vector<Finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings)
        out.push_back(f.code);
    return out;
}

inline const Finding* find_code(const std::vector<Finding>& findings, std::string_view code) {
    for (const auto& f : findings)
        if (f.code == code) return &f;
    return nullptr;
}

inline bool has_code(const std::vector<Finding>& findings, std::string_view code) {
    return find_code(findings, code) != nullptr;
}

// A small correct Keras MNIST classifier, the base most tests mutate.
struct KerasMnist {
    Script s{R"(from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense
from keras.utils import to_categorical
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(60000, 784) / 255.0
y_train = to_categorical(y_train, 10)
model = Sequential()
model.add(Dense(128, activation='relu', input_shape=(784,)))
model.add(Dense(10, activation='softmax'))
model.compile(loss="categorical_crossentropy", optimizer='adam', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=5, batch_size=32)
)"};
    TrainingProgram p;
    KerasMnist() {
        p.framework = Framework::Keras;
        p.model_span = s.find("Sequential()");
        p.layers.push_back(keras_layer(s, "Dense(128, activation='relu', input_shape=(784,))"));
        p.layers.push_back(keras_layer(s, "Dense(10, activation='softmax')"));
        p.compile_call = s.find("model.compile(");
        p.loss = keras_loss(s, "\"categorical_crossentropy\"", "categorical_crossentropy");
        p.optimizer = string_optimizer(s, "'adam'", "adam", 0.001);
        p.fit_call = s.find("model.fit(");
        p.epochs = literal<int64_t>(5, s.find("5", 0, s.find("epochs=").start_byte));
        p.batch_size = literal<int64_t>(32, s.find("32", 0, s.find("batch_size=").start_byte));
        p.data.source = literal<std::string>("mnist", s.find("mnist.load_data()"));
        p.data.input_shape = {784};
        p.data.num_samples = literal<int64_t>(60000, s.find("mnist.load_data()"));
        p.data.num_classes = literal<int64_t>(10, s.find("to_categorical(y_train, 10)"));
        p.data.labels = LabelFormat::OneHot;
        p.data.labels_span = s.find("to_categorical(y_train, 10)");
        p.data.scaled = literal(true, s.find("x_train = x_train.reshape(60000, 784) / 255.0"));
        p.data.input_min = literal(0.0, s.find("/ 255.0"));
        p.data.input_max = literal(1.0, s.find("/ 255.0"));
        p.data.is_image = true;
    }
};

} // namespace fltest
