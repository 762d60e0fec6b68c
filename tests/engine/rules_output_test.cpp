#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

namespace {

TrainingProgram sequential(const Script& s, std::initializer_list<const char*> layer_calls,
                           const char* loss_quoted, const char* loss) {
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.model_span = s.find("Sequential()");
    std::vector<std::string> seen;
    for (const char* call : layer_calls) {
        size_t nth = static_cast<size_t>(std::count(seen.begin(), seen.end(), call));
        p.layers.push_back(keras_layer(s, call, nth));
        seen.emplace_back(call);
    }
    p.compile_call = s.find("model.compile(");
    p.loss = keras_loss(s, loss_quoted, loss);
    return p;
}

} // namespace

TEST_CASE("FL111: softmax on one unit, at the activation literal, fixed to sigmoid") {
    // so_45337371's shape, written anew.
    Script s("model = Sequential()\n"
             "model.add(Dense(60, input_shape=(5,), activation='relu'))\n"
             "model.add(Dense(1, activation='softmax'))\n"
             "model.compile(optimizer='adam', loss='binary_crossentropy')\n");
    auto p =
        sequential(s, {"Dense(60, input_shape=(5,), activation='relu')", "Dense(1, activation='softmax')"},
                   "'binary_crossentropy'", "binary_crossentropy");
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL111"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::act);
    CHECK(f.severity == Severity::Error);
    CHECK(f.message == "softmax on a 1-unit output always outputs 1.0");
    CHECK(s.at(f.range) == "'softmax'");
    CHECK(f.range.start.row == 2);
    REQUIRE(f.fixes.size() == 1);
    CHECK(s.apply(f.fixes[0].edits).find("Dense(1, activation='sigmoid')") != std::string::npos);
    // The rule's link ends the explanation when the docs resolve (docs_link.h), and is left out otherwise.
    const std::string link = rule_docs_url("FL111");
    if (link.empty())
        CHECK(f.explanation.find("[FL111:") == std::string::npos);
    else
        CHECK(f.explanation.find("[FL111: softmax-single-unit](" + link + ")") != std::string::npos);
}

TEST_CASE("FL111 with a softmax Activation layer (so_45442843's shape) and a regression loss") {
    Script s("model = Sequential()\n"
             "model.add(Dense(1, input_dim=1))\n"
             "model.add(Activation(\"sigmoid\"))\n"
             "model.add(Dense(1, init='normal'))\n"
             "model.add(Activation(\"softmax\"))\n"
             "model.compile(loss='mean_absolute_error', optimizer='rmsprop')\n");
    auto p = sequential(s,
                        {"Dense(1, input_dim=1)", "Activation(\"sigmoid\")", "Dense(1, init='normal')",
                         "Activation(\"softmax\")"},
                        "'mean_absolute_error'", "mean_absolute_error");
    p.data.labels = LabelFormat::Binary;
    auto findings = run_static_checks(p);
    const Finding* f = find_code(findings, "FL111");
    REQUIRE(f);
    CHECK(s.at(f->range) == "\"softmax\"");
    CHECK(s.apply(f->fixes.at(0).edits).find("Activation(\"sigmoid\"))\nmodel.compile") != std::string::npos);
    // The loss is also wrong for a softmax output (FL105) and is reported at its own statement.
    const Finding* g = find_code(findings, "FL105");
    REQUIRE(g);
    CHECK(s.at(g->range) == "'mean_absolute_error'");
}

TEST_CASE("UMLAUT's false alarm does not happen: Dense(10, activation='softmax') is a softmax output") {
    fltest::KerasMnist m;
    CHECK(run_static_checks(m.p).empty());
}

TEST_CASE("FL112: relu output on a binary classifier (so_44066044's shape)") {
    Script s("model = Sequential()\n"
             "model.add(Dense(12, input_dim=11, kernel_initializer='normal'))\n"
             "model.add(Activation('relu'))\n"
             "model.add(Dense(1, kernel_initializer='normal'))\n"
             "model.add(Activation('relu'))\n"
             "model.compile(loss='binary_crossentropy', optimizer='Adam')\n");
    auto p = sequential(s,
                        {"Dense(12, input_dim=11, kernel_initializer='normal')", "Activation('relu')",
                         "Dense(1, kernel_initializer='normal')", "Activation('relu')"},
                        "'binary_crossentropy'", "binary_crossentropy");
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL112"});
    CHECK(findings[0].range.start.row == 4);
    CHECK(s.apply(findings[0].fixes.at(0).edits).find("Activation('sigmoid'))\nmodel.compile") !=
          std::string::npos);
}

TEST_CASE("FL113: sigmoid output with categorical cross-entropy over three classes") {
    Script s("model = Sequential()\n"
             "model.add(Dense(4, input_dim=4, activation='relu'))\n"
             "model.add(Dense(3, activation='sigmoid'))\n"
             "model.compile(loss='categorical_crossentropy', optimizer='adam')\n");
    auto p = sequential(s, {"Dense(4, input_dim=4, activation='relu')", "Dense(3, activation='sigmoid')"},
                        "'categorical_crossentropy'", "categorical_crossentropy");
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL113"});
    CHECK(s.apply(findings[0].fixes.at(0).edits).find("Dense(3, activation='softmax')") != std::string::npos);
}

TEST_CASE("FL114: sigmoid output on Boston housing prices") {
    Script s("(x, y), _ = boston_housing.load_data()\n"
             "model = Sequential()\n"
             "model.add(Dense(64, activation='relu', input_shape=(13,)))\n"
             "model.add(Dense(1, activation='sigmoid'))\n"
             "model.compile(loss='mse', optimizer='adam')\n");
    auto p =
        sequential(s, {"Dense(64, activation='relu', input_shape=(13,))", "Dense(1, activation='sigmoid')"},
                   "'mse'", "mean_squared_error");
    p.data.source = literal<std::string>("boston_housing", s.find("boston_housing.load_data()"));
    p.data.labels = LabelFormat::Real;
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL114"});
    CHECK(s.apply(findings[0].fixes.at(0).edits).find("Dense(1, activation='linear')") != std::string::npos);

    SECTION("a target of unknown range is left alone") {
        p.data.source = literal<std::string>("csv", s.find("boston_housing.load_data()"));
        CHECK(run_static_checks(p).empty());
    }
}

TEST_CASE("FL115: output width against the class count") {
    fltest::KerasMnist m;
    m.p.layers.back().units = literal<int64_t>(5, m.p.layers.back().units.literal.value());
    auto findings = run_static_checks(m.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL115"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::layer);
    CHECK(f.message == "the output layer has 5 units but the data has 10 classes");
    CHECK(m.s.apply(f.fixes.at(0).edits).find("Dense(10, activation='softmax')") != std::string::npos);

    SECTION("integer labels with more units than classes train fine") {
        m.p.loss = keras_loss(m.s, "\"categorical_crossentropy\"", "sparse_categorical_crossentropy");
        m.p.data.labels = LabelFormat::Integer;
        m.p.layers.back().units = literal<int64_t>(12, m.p.layers.back().units.literal.value());
        CHECK(run_static_checks(m.p).empty());
    }
    SECTION("unknown class count is skipped") {
        m.p.data.num_classes = Value<int64_t>{};
        CHECK(run_static_checks(m.p).empty());
    }
}
