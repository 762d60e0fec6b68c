#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("Keras Sequential with model.add, compile and fit on mnist", "[parser][keras]") {
    const std::string src = read_fixture("keras_mnist_sequential.py");
    TrainingProgram p = parse_program(src);

    CHECK(p.framework == Framework::Keras);
    CHECK_FALSE(p.has_syntax_errors);
    CHECK(p.model_span == span_of(src, "Sequential()", "model ="));
    REQUIRE(p.layers.size() == 3);

    const Layer& d1 = p.layers[0];
    CHECK(d1.kind == "Dense");
    CHECK(d1.span == span_of(src, "Dense(512, activation='relu', input_shape=(784,))"));
    CHECK(*d1.units == 512);
    CHECK(d1.units.kind == OriginKind::Literal);
    CHECK(*d1.units.literal == span_of(src, "512"));
    CHECK(*d1.activation == "relu");
    CHECK(d1.activation.origin == span_of(src, "'relu'"));
    CHECK(d1.input_shape == std::vector<int64_t>{784});
    CHECK(*d1.kernel_initializer == "glorot_uniform");
    CHECK(d1.kernel_initializer.kind == OriginKind::Default);
    CHECK(d1.kernel_initializer.origin == d1.span);
    CHECK(*d1.bias_initializer == "zeros");

    CHECK(p.layers[1].kind == "Dropout");
    CHECK(*p.layers[1].params.at("rate") == Approx(0.2));
    CHECK(p.layers[2].kind == "Dense");
    CHECK(*p.layers[2].units == 10);
    CHECK(*p.layers[2].activation == "softmax");

    CHECK(*p.loss.name == "categorical_crossentropy");
    CHECK(p.loss.written_as_string);
    CHECK(p.loss.call == span_of(src, "'categorical_crossentropy'"));
    CHECK_FALSE(p.loss.from_logits);

    const Optimizer& o = p.optimizer;
    CHECK(*o.name == "sgd");
    CHECK_FALSE(o.written_as_string);
    CHECK(o.call == span_of(src, "SGD(lr=lr, momentum=0.9)"));
    CHECK(o.lr_keyword == "lr");
    REQUIRE(o.lr.known());
    CHECK(*o.lr == Approx(0.1));
    CHECK(o.lr.kind == OriginKind::Literal);
    // The literal is on line 13 (`lr = 0.1`), its use in SGD(lr=lr) on line 18.
    CHECK(o.lr.origin == span_of(src, "0.1", "lr = "));
    CHECK(o.lr.origin.start.row == 12);
    CHECK(o.lr.origin.start.column == 5);
    CHECK(*o.lr.literal == o.lr.origin);
    REQUIRE(o.lr.uses.size() == 1);
    CHECK(o.lr.uses[0] == span_of(src, "lr", "SGD(lr=", 1));
    CHECK(*o.momentum == Approx(0.9));
    CHECK(*o.momentum.literal == span_of(src, "0.9"));
    CHECK(o.nesterov.kind == OriginKind::Default);
    CHECK_FALSE(*o.nesterov);
    CHECK(o.decay.kind == OriginKind::Default);

    const Span compile_line = line_of(src, "model.compile(");
    CHECK(p.compile_call == compile_line);
    const Span fit_line = line_of(src, "model.fit(");
    CHECK(p.fit_call == fit_line);
    CHECK(p.compile_call.start.row == 17);
    CHECK(p.fit_call.start.row == 18);
    CHECK(*p.epochs == 20);
    CHECK(*p.epochs.literal == span_of(src, "20"));
    CHECK(*p.batch_size == 128);
    CHECK(p.batch_size.origin == span_of(src, "128"));

    const Data& d = p.data;
    CHECK(*d.source == "mnist");
    CHECK(d.source.origin == line_of(src, "mnist.load_data()"));
    CHECK(d.input_shape == std::vector<int64_t>{784});
    CHECK(*d.num_samples == 60000);
    CHECK(d.labels == LabelFormat::OneHot);
    CHECK(d.labels_span == line_of(src, "to_categorical(y_train, 10)"));
    CHECK(*d.num_classes == 10);
    REQUIRE(d.scaled.known());
    CHECK(*d.scaled);
    CHECK(d.scaled.origin == line_of(src, "x_train /= 255"));
    CHECK(*d.input_min == Approx(0.0));
    CHECK(*d.input_max == Approx(1.0));
    CHECK(d.validation_split == Approx(0.1));
    CHECK_FALSE(d.has_validation_data);
    CHECK(p.notes.empty());
}
