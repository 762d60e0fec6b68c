#include "helpers.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("A script with syntax errors gives a partial program and notes", "[parser][errors]") {
    const std::string src = read_fixture("keras_broken.py");
    Document doc(src);
    CHECK(doc.has_syntax_errors());
    TrainingProgram p = doc.extract();
    CHECK(p.has_syntax_errors);
    CHECK(p.framework == Framework::Keras);
    // The first layer is before the error and is read whatever the recovery does with the rest.
    REQUIRE_FALSE(p.layers.empty());
    CHECK(*p.layers[0].units == 64);
    bool syntax_note = false;
    for (const Note& n : p.notes)
        syntax_note = syntax_note || n.message.find("syntax error") != std::string::npos;
    CHECK(syntax_note);
}

TEST_CASE("Every prefix of every fixture parses without throwing", "[parser][errors]") {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(FAULTLINE_FIXTURES) + "/parser")) {
        if (entry.path().extension() != ".py") continue;
        const std::string src = read_fixture(entry.path().filename().string());
        for (size_t cut = 0; cut <= src.size(); cut += 7) {
            INFO(entry.path().filename().string() << " cut at " << cut);
            TrainingProgram p;
            CHECK_NOTHROW(p = parse_program(std::string_view(src).substr(0, cut)));
            for (const Layer& l : p.layers)
                CHECK(l.span.end_byte <= cut);
        }
    }
}

TEST_CASE("Garbage and empty input", "[parser][errors]") {
    CHECK_NOTHROW(parse_program(""));
    CHECK(parse_program("").framework == Framework::Unknown);
    CHECK_FALSE(parse_program("").has_model());
    std::string junk;
    for (int i = 0; i < 4000; ++i)
        junk += static_cast<char>((i * 7919) % 256);
    CHECK_NOTHROW(parse_program(junk));
    // Deep nesting must not exhaust the stack.
    std::string deep = "import keras\nx = " + std::string(3000, '(') + "1" + std::string(3000, ')') + "\n";
    CHECK_NOTHROW(parse_program(deep));
    // Self-referencing names terminate.
    CHECK_NOTHROW(parse_program(
        "import keras\na = b\nb = a\nmodel = keras.Sequential()\nmodel.add(keras.layers.Dense(a))\n"));
}

TEST_CASE("Unsupported layers are assumed shape-preserving with a note", "[parser][errors]") {
    const std::string src = R"(from keras.models import Sequential
from keras.layers import Dense, Capsule
model = Sequential()
model.add(Dense(4, input_dim=3))
model.add(Capsule(10))
model.compile(loss='mse', optimizer='adam')
)";
    TrainingProgram p = parse_program(src);
    // An unknown layer class is assumed shape-preserving, and a note names the assumption.
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[1].kind == "Identity");
    REQUIRE_FALSE(p.notes.empty());
    bool assumed = false;
    for (const Note& n : p.notes)
        if (n.message.find("assumed layer `Capsule` keeps its input's shape") != std::string::npos) {
            assumed = !n.blocks_probe;
            CHECK(n.span == span_of(src, "Capsule(10)"));
        }
    CHECK(assumed);
}

TEST_CASE("Unknown values carry a note and the span that could not be read", "[parser][errors]") {
    const std::string src = R"(import sys
from keras.models import Sequential
from keras.layers import Dense
lr = float(sys.argv[1])
model = Sequential([Dense(2, input_dim=2, activation=my_act)])
from keras.optimizers import Adam
model.compile(loss='mse', optimizer=Adam(lr=lr))
)";
    TrainingProgram p = parse_program(src);
    CHECK(p.optimizer.lr.kind == OriginKind::Unknown);
    CHECK_FALSE(p.optimizer.lr.note.empty());
    CHECK(p.optimizer.lr.origin == span_of(src, "lr", "Adam(lr=", 1));
    CHECK(p.layers.at(0).activation.kind == OriginKind::Unknown);
    CHECK(p.layers.at(0).activation.origin == span_of(src, "my_act"));
}

TEST_CASE("Every unknown value of every fixture says why", "[parser][errors]") {
    auto check = [](const auto& v, const std::string& what) {
        INFO(what);
        if (v.kind == OriginKind::Unknown) CHECK_FALSE(v.note.empty());
    };
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(FAULTLINE_FIXTURES) + "/parser")) {
        if (entry.path().extension() != ".py") continue;
        std::string name = entry.path().filename().string();
        TrainingProgram p = parse_program(read_fixture(name));
        check(p.loss.name, name + " loss");
        check(p.optimizer.name, name + " optimizer");
        check(p.optimizer.lr, name + " lr");
        check(p.optimizer.momentum, name + " momentum");
        check(p.epochs, name + " epochs");
        check(p.steps, name + " steps");
        check(p.batch_size, name + " batch");
        check(p.data.source, name + " source");
        check(p.data.num_samples, name + " samples");
        check(p.data.scaled, name + " scaled");
        check(p.data.input_min, name + " input_min");
        for (const Layer& l : p.layers) {
            check(l.units, name + " " + l.kind + " units");
            check(l.activation, name + " " + l.kind + " activation");
            for (const auto& [k, v] : l.params)
                check(v, name + " " + l.kind + " " + k);
        }
    }
}

TEST_CASE("Pathologically deep code does not exhaust the stack", "[parser][errors]") {
    std::string chain = "import keras\nx = a";
    for (int i = 0; i < 20000; ++i)
        chain += ".b";
    chain += "\nmodel = keras.models.Sequential()\nmodel.add(keras.layers.Dense(x))\nmodel.fit(x" +
             std::string(".c", 0) + ")\n";
    CHECK_NOTHROW(parse_program(chain));

    std::string nested = "import keras\ndef build():\n";
    std::string indent = " ";
    for (int i = 0; i < 1500; ++i) {
        nested += indent + "if x:\n";
        indent += " ";
    }
    nested += indent + "return keras.models.Sequential()\nmodel = build()\nmodel.fit(x, y)\n";
    CHECK_NOTHROW(parse_program(nested));

    std::string pattern =
        "import keras\n" + std::string(3000, '(') + "a" + std::string(3000, ')') + ", b = f()\n";
    CHECK_NOTHROW(parse_program(pattern));

    std::string calls = "import keras\nmodel = keras.models.Sequential()\nmodel.add(";
    for (int i = 0; i < 3000; ++i)
        calls += "f(";
    calls += "1" + std::string(3000, ')') + ")\nmodel.compile(loss='mse', optimizer='sgd')\n";
    CHECK_NOTHROW(parse_program(calls));
}

TEST_CASE("Names that double each other stay cheap, long reassignment chains are followed",
          "[parser][errors]") {
    std::string src = "import keras\ndef f(v):\n    a0 = v\n";
    for (int i = 1; i < 12; ++i)
        src += "    a" + std::to_string(i) + " = a" + std::to_string(i - 1) + " + a" + std::to_string(i - 1) +
               "\n";
    src += "    return a11\nn = f(1)\nx = 0\n";
    for (int i = 0; i < 300; ++i)
        src += "x = x + 1\n";
    src += "model = keras.models.Sequential([keras.layers.Dense(n), keras.layers.Dense(x)])\n";
    TrainingProgram p;
    CHECK_NOTHROW(p = parse_program(src));
    REQUIRE(p.layers.size() == 2);
    REQUIRE(p.layers[0].units.known());
    CHECK(*p.layers[0].units == 2048);
    REQUIRE(p.layers[1].units.known());
    CHECK(*p.layers[1].units == 300);
}
