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
    CHECK(f.message == "mnist images are fed to the network unscaled (pixel values 0..255)");
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
