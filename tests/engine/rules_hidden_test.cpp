#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

TEST_CASE("FL121: Dense without activation feeding Dense (so_48385830's shape), fix inserts relu") {
    Script s("model = Sequential()\n"
             "layer1 = Dense(30,\n"
             "               input_shape=input_shape)\n"
             "model.add(layer1)\n"
             "layer2 = Dense(10, activation='softmax')\n"
             "model.add(layer2)\n"
             "model.compile(optimizer=SGD(lr=0.1), loss='categorical_crossentropy')\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(30,\n               input_shape=input_shape)"));
    p.layers.push_back(keras_layer(s, "Dense(10, activation='softmax')"));
    p.loss = keras_loss(s, "'categorical_crossentropy'", "categorical_crossentropy");
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL121"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::hidden_activation);
    CHECK(f.range.start.row == 1);
    REQUIRE(f.fixes.size() == 1);
    CHECK(s.apply(f.fixes[0].edits).find("Dense(30, activation='relu',\n") != std::string::npos);
    REQUIRE(f.related.size() == 1);
    CHECK(f.related[0].start.row == 4);
}

TEST_CASE("FL121 is silent when an Activation layer, LeakyReLU or an unknown activation sits between") {
    Script s("Dense(30)\nActivation('relu')\nDense(10, activation='softmax')\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(30)"));
    p.layers.push_back(keras_layer(s, "Activation('relu')"));
    p.layers.push_back(keras_layer(s, "Dense(10, activation='softmax')"));
    CHECK(run_static_checks(p).empty());
    p.layers[1].kind = "LeakyReLU";
    p.layers[1].activation = defaulted<std::string>("leaky_relu", p.layers[1].span);
    CHECK(run_static_checks(p).empty());
    p.layers.erase(p.layers.begin() + 1);
    p.layers[0].activation = unknown<std::string>(p.layers[0].span, "activation=act");
    CHECK(run_static_checks(p).empty());
    // A Dropout in between does not add a non-linearity.
    Script d("Dense(30)\nDropout(0.5)\nDense(10, activation='softmax')\n");
    TrainingProgram q;
    q.framework = Framework::Keras;
    q.layers.push_back(keras_layer(d, "Dense(30)"));
    q.layers.push_back(keras_layer(d, "Dropout(0.5)"));
    q.layers.push_back(keras_layer(d, "Dense(10, activation='softmax')"));
    CHECK(codes(run_static_checks(q)) == std::vector<std::string>{"FL121"});
}

TEST_CASE("FL122: eleven tanh hidden layers (so_46995209's shape), one fix replacing each") {
    std::string text = "model = Sequential()\nmodel.add(Dense(10, input_dim=8, activation='tanh'))\n";
    for (int i = 0; i < 10; ++i)
        text += "model.add(Dense(10, activation='tanh'))\n";
    text += "model.add(Dense(1, activation='linear'))\n";
    Script s(text);
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(10, input_dim=8, activation='tanh')"));
    for (size_t i = 0; i < 10; ++i)
        p.layers.push_back(keras_layer(s, "Dense(10, activation='tanh')", i));
    p.layers.push_back(keras_layer(s, "Dense(1, activation='linear')"));
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL122"});
    const Finding& f = findings[0];
    CHECK(f.message.rfind("11 hidden layers use tanh", 0) == 0);
    CHECK(f.range.start.row == 1);
    CHECK(f.related.size() == 10);
    REQUIRE(f.fixes.size() == 1);
    CHECK(f.fixes[0].edits.size() == 11);
    std::string fixed = s.apply(f.fixes[0].edits);
    CHECK(fixed.find("tanh") == std::string::npos);

    SECTION("four saturating layers are below the threshold") {
        p.layers.erase(p.layers.begin() + 4, p.layers.end() - 1);
        CHECK(run_static_checks(p).empty());
    }
}

TEST_CASE("FL123: zeros in a hidden layer - a zero-initialised output unit is fine") {
    Script s("model.add(Dense(32, activation='relu', kernel_initializer='zeros', input_dim=4))\n"
             "model.add(Dense(1, activation='sigmoid', kernel_initializer='zeros'))\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(
        keras_layer(s, "Dense(32, activation='relu', kernel_initializer='zeros', input_dim=4)"));
    p.layers.push_back(keras_layer(s, "Dense(1, activation='sigmoid', kernel_initializer='zeros')"));
    p.layers[0].kernel_initializer = literal<std::string>("zeros", s.find("'zeros'"));
    p.layers[1].kernel_initializer = literal<std::string>("zeros", s.find("'zeros'", 1));
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL123"});
    CHECK(findings[0].fault == Fault::weight_init);
    CHECK(findings[0].range.start.row == 0);
    CHECK(s.apply(findings[0].fixes.at(0).edits).find("kernel_initializer='glorot_uniform', input_dim=4") !=
          std::string::npos);

    p.layers.erase(p.layers.begin());
    CHECK(run_static_checks(p).empty());
}

TEST_CASE("FL124: softmax on a hidden layer - softmax on the output is not hidden") {
    Script s("model.add(Dense(64, activation='softmax', input_dim=20))\nmodel.add(Dense(3, "
             "activation='softmax'))\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(64, activation='softmax', input_dim=20)"));
    p.layers.push_back(keras_layer(s, "Dense(3, activation='softmax')"));
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL124"});
    CHECK(s.at(findings[0].range) == "'softmax'");
    CHECK(findings[0].range.start.row == 0);
    p.layers.erase(p.layers.begin());
    CHECK(run_static_checks(p).empty());
}

TEST_CASE("FL125: an Activation layer after a layer's own activation - squashing twice is a warning") {
    Script s("Dense(10, activation='softmax')\nActivation('softmax')\nDense(8, activation='relu')\n"
             "Activation('relu')\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(10, activation='softmax')"));
    p.layers.push_back(keras_layer(s, "Activation('softmax')"));
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL125"});
    CHECK(findings[0].severity == Severity::Warning);
    CHECK(s.at(findings[0].range) == "'softmax'");
    CHECK(findings[0].range.start.row == 1);

    TrainingProgram q;
    q.framework = Framework::Keras;
    q.layers.push_back(keras_layer(s, "Dense(8, activation='relu')"));
    q.layers.push_back(keras_layer(s, "Activation('relu')"));
    auto g = run_static_checks(q);
    REQUIRE(codes(g) == std::vector<std::string>{"FL125"});
    CHECK(g[0].severity == Severity::Information);
}
