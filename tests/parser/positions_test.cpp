#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("LineIndex converts byte columns to UTF-16 and back", "[parser][positions]") {
    const std::string src = "s = \"\xC3\xA9\xF0\x9F\x94\xA5\"; x = 1\n";
    LineIndex index(src);
    uint32_t x = static_cast<uint32_t>(src.find("x ="));
    CHECK(index.to_point(x) == Point{0, 14});
    CHECK(index.to_position(x, PositionEncoding::Utf8) == LinePosition{0, 14});
    CHECK(index.to_position(x, PositionEncoding::Utf16) == LinePosition{0, 11});
    CHECK(index.to_position(x, PositionEncoding::Utf32) == LinePosition{0, 10});
    CHECK(index.to_offset({0, 11}, PositionEncoding::Utf16) == x);
    // A position inside the surrogate pair of the emoji stays before it.
    CHECK(index.to_offset({0, 7}, PositionEncoding::Utf16) == 7);
    CHECK(index.to_offset({5, 0}, PositionEncoding::Utf16) == src.size());
    CHECK(index.to_offset({0, 99}, PositionEncoding::Utf16) == index.line_end(0));
}

TEST_CASE("Spans after non-ASCII text stay in bytes", "[parser][positions]") {
    const std::string src = "# Réseau de neurones — entraînement 🔥\n"
                            "from keras.models import Sequential\n"
                            "from keras.layers import Dense\n"
                            "from keras.optimizers import SGD\n"
                            "titre = \"réseau 🔥\"; lr = 0.5\n"
                            "model = Sequential([Dense(1, input_dim=1)])\n"
                            "model.compile(loss='mse', optimizer=SGD(lr=lr))\n";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.optimizer.lr.known());
    CHECK(*p.optimizer.lr == Approx(0.5));
    const Span& s = p.optimizer.lr.origin;
    CHECK(src.substr(s.start_byte, s.end_byte - s.start_byte) == "0.5");
    CHECK(s.start.row == 4);
    // `titre = "réseau 🔥"; lr = ` is 29 bytes but 26 UTF-16 code units.
    CHECK(s.start.column == 29);
    LineIndex index(src);
    CHECK(index.to_position(s.start_byte, PositionEncoding::Utf16) == LinePosition{4, 26});
}

TEST_CASE("CRLF line endings", "[parser][positions]") {
    const std::string src =
        "import keras\r\nmodel = keras.models.Sequential([keras.layers.Dense(3, input_dim=2)])\r\n"
        "model.compile(loss='mse', optimizer='sgd')\r\nmodel.fit(x, y, epochs=7)\r\n";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.epochs.known());
    CHECK(*p.epochs == 7);
    CHECK(p.epochs.origin.start.row == 3);
    CHECK(src.substr(p.epochs.origin.start_byte, 1) == "7");
}
