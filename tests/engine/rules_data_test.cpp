#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

TEST_CASE("FL151: unscaled MNIST pixels, at the load statement") {
    fltest::KerasMnist m;
    m.p.data.scaled = literal(false, m.s.find("(x_train, y_train), (x_test, y_test) = mnist.load_data()"));
    m.p.data.input_max = literal(255.0, m.s.find("mnist.load_data()"));
    auto findings = run_static_checks(m.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL151"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::data_preprocessing);
    CHECK(f.message == "mnist images are fed to the network unscaled (pixel values up to 255)");
    CHECK(f.range.start.row == 4);

    SECTION("a first BatchNormalization layer normalises the input") {
        Layer bn;
        bn.kind = "BatchNormalization";
        bn.span = m.p.model_span;
        m.p.layers.insert(m.p.layers.begin(), bn);
        CHECK(run_static_checks(m.p).empty());
    }
    SECTION("unknown scaling is skipped") {
        m.p.data.scaled = unknown<bool>(m.p.data.source.origin);
        CHECK(run_static_checks(m.p).empty());
    }
}

TEST_CASE("FL151 on large unscaled features - Embedding inputs and small features are left alone") {
    Script s("(x_train, y_train), _ = boston_housing.load_data()\n"
             "model.add(Dense(64, activation='relu', input_shape=(13,)))\n"
             "model.add(Dense(1))\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(64, activation='relu', input_shape=(13,))"));
    p.layers.push_back(keras_layer(s, "Dense(1)"));
    p.data.source = literal<std::string>("boston_housing", s.find("boston_housing.load_data()"));
    p.data.scaled = literal(false, s.find("(x_train, y_train), _ = boston_housing.load_data()"));
    p.data.input_max = literal(711.0, s.find("boston_housing.load_data()"));
    p.data.labels = LabelFormat::Real;
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL151"});
    CHECK(findings[0].message == "boston_housing inputs are fed to the network unscaled (values up to 711)");

    p.data.input_max = literal(50.0, s.find("boston_housing.load_data()"));
    CHECK(run_static_checks(p).empty());
    p.data.input_max = literal(711.0, s.find("boston_housing.load_data()"));
    p.layers.front().kind = "Embedding";
    CHECK(run_static_checks(p).empty());
}

TEST_CASE("FL151 needs pixel evidence: image-shaped inputs of unknown range are not judged") {
    Script s("inpt = tf.placeholder(tf.float16, (4, 16, 16, 3))\nval = np.zeros((4, 16, 16, 3))\n");
    TrainingProgram p;
    p.framework = Framework::TF1;
    Layer conv;
    conv.kind = "Conv2D";
    conv.span = s.find("tf.placeholder(tf.float16, (4, 16, 16, 3))");
    p.layers.push_back(conv);
    p.data.is_image = true;
    p.data.scaled = literal(false, s.find("val = np.zeros((4, 16, 16, 3))"));
    CHECK(run_static_checks(p).empty());
    p.data.input_max = literal(255.0, s.find("np.zeros"));
    CHECK(codes(run_static_checks(p)) == std::vector<std::string>{"FL151"});
}
