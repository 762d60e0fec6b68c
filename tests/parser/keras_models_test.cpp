#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("Keras 1 spellings: Convolution2D(32, 3, 3), border_mode, init, output_dim, nb_epoch, p=",
          "[parser][keras]") {
    const std::string src = read_fixture("keras_old_spellings.py");
    TrainingProgram p = parse_program(src);
    CHECK(p.framework == Framework::Keras);
    REQUIRE(p.layers.size() == 7);

    const Layer& conv = p.layers[0];
    CHECK(conv.kind == "Conv2D");
    CHECK(*conv.units == 32);
    CHECK(*conv.params.at("kernel_size") == 3);
    CHECK(*conv.params.at("kernel_size2") == 3);
    CHECK(conv.padding == "same");
    CHECK(conv.input_shape == std::vector<int64_t>{32, 32, 3});
    CHECK(*conv.kernel_initializer == "he_normal");
    CHECK(conv.kernel_initializer.origin == span_of(src, "'he_normal'"));
    CHECK(*conv.activation == "linear");
    CHECK(conv.activation.kind == OriginKind::Default);
    CHECK(conv.activation.origin == conv.span);

    CHECK(p.layers[1].kind == "Activation");
    CHECK(*p.layers[1].activation == "relu");
    CHECK(p.layers[2].kind == "MaxPooling2D");
    CHECK(*p.layers[2].params.at("pool_size") == 2);
    CHECK(p.layers[3].kind == "Dropout");
    CHECK(*p.layers[3].params.at("rate") == Approx(0.25));
    CHECK(p.layers[4].kind == "Flatten");

    const Layer& dense = p.layers[5];
    CHECK(dense.kind == "Dense");
    CHECK(*dense.units == 10);
    // output_dim=nb_classes: the literal is `nb_classes = 10` on line 9, used on line 19.
    CHECK(dense.units.origin == span_of(src, "10", "nb_classes = "));
    REQUIRE(dense.units.uses.size() == 1);
    CHECK(dense.units.uses[0] == span_of(src, "nb_classes", "output_dim="));
    CHECK(*dense.kernel_initializer == "random_uniform");
    CHECK(*p.layers[6].activation == "softmax");

    const Optimizer& o = p.optimizer;
    CHECK(*o.name == "sgd");
    CHECK(o.call == span_of(src, "SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)"));
    REQUIRE(o.name.uses.size() == 1);
    CHECK(o.name.uses[0] == span_of(src, "sgd", "optimizer="));
    CHECK(*o.lr == Approx(0.01));
    CHECK(*o.lr.literal == span_of(src, "0.01", "SGD("));
    CHECK(o.lr.origin.start.row == 21);
    CHECK(o.lr.origin.start.column == 13);
    CHECK(*o.decay == Approx(1e-6));
    CHECK(*o.momentum == Approx(0.9));
    CHECK(*o.nesterov);
    CHECK(o.nesterov.kind == OriginKind::Literal);
    CHECK(o.lr_keyword == "lr");

    CHECK(*p.epochs == 5);
    CHECK(p.epochs.origin == span_of(src, "5", "nb_epoch="));
    CHECK(*p.batch_size == 32);
    CHECK(*p.data.source == "cifar10");
    CHECK(p.data.input_shape == std::vector<int64_t>{32, 32, 3});
    CHECK(p.data.labels == LabelFormat::OneHot);
    CHECK(*p.data.num_classes == 10);
    CHECK_FALSE(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "cifar10.load_data()"));
    CHECK(*p.data.input_max == 255);
    CHECK(p.data.is_image);
    CHECK(p.data.has_validation_data);
}

TEST_CASE("tf.keras functional API with loss and optimizer objects", "[parser][keras]") {
    const std::string src = read_fixture("keras_functional.py");
    TrainingProgram p = parse_program(src);
    CHECK(p.framework == Framework::TfKeras);
    CHECK(p.model_span == span_of(src, "keras.Model(inputs=inputs, outputs=outputs)"));
    REQUIRE(p.layers.size() == 3);
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{784});
    CHECK(*p.layers[0].units == 64);
    CHECK(*p.layers[0].activation == "relu");
    CHECK(*p.layers[1].activation == "relu");
    CHECK(p.layers[1].activation.origin == span_of(src, "tf.nn.relu"));
    CHECK(*p.layers[2].units == 10);
    CHECK(*p.layers[2].activation == "linear");
    CHECK(p.layers[2].activation.kind == OriginKind::Default);

    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(p.loss.from_logits);
    CHECK_FALSE(p.loss.written_as_string);
    CHECK(p.loss.call == span_of(src, "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"));

    CHECK(*p.optimizer.name == "adam");
    CHECK(p.optimizer.lr_keyword == "learning_rate");
    CHECK(*p.optimizer.lr == Approx(1e-3));
    CHECK(*p.optimizer.lr.literal == span_of(src, "1e-3"));

    CHECK(*p.epochs == 2);
    CHECK(*p.batch_size == 64);
    CHECK(*p.data.source == "mnist");
    CHECK(*p.data.num_samples == 60000);
    CHECK(p.data.labels == LabelFormat::Integer);
    CHECK(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "/ 255"));
    CHECK(p.data.validation_split == Approx(0.2));
}

TEST_CASE("Initializer objects, regularizers, activation layers, sequence data", "[parser][keras]") {
    const std::string src = read_fixture("keras_layers.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 8);
    const Layer& emb = p.layers[0];
    CHECK(emb.kind == "Embedding");
    CHECK(*emb.params.at("input_dim") == 20000);
    CHECK(*emb.units == 128);
    CHECK(emb.input_shape == std::vector<int64_t>{80});

    CHECK(p.layers[1].kind == "Conv1D");
    CHECK(*p.layers[1].params.at("kernel_size") == 5);
    CHECK(p.layers[1].padding == "same");
    CHECK(p.layers[2].kind == "GlobalMaxPooling1D");

    const Layer& dense = p.layers[3];
    CHECK(*dense.kernel_initializer == "random_normal");
    // `init = RandomNormal(...)` on line 14, used on line 19.
    CHECK(dense.kernel_initializer.origin == span_of(src, "RandomNormal(mean=0.0, stddev=1)"));
    REQUIRE(dense.kernel_initializer.uses.size() == 1);
    CHECK(*dense.params.at("init_stddev") == 1);
    CHECK(*dense.params.at("init_mean") == 0);
    CHECK(*dense.bias_initializer == "random_uniform");
    CHECK(*dense.params.at("bias_init_minval") == Approx(-0.5));
    CHECK(*dense.params.at("bias_init_maxval") == Approx(0.5));
    CHECK(*dense.params.at("l2") == Approx(0.01));

    CHECK(p.layers[4].kind == "LeakyReLU");
    CHECK(*p.layers[4].activation == "leaky_relu");
    CHECK(*p.layers[4].params.at("alpha") == Approx(0.1));
    CHECK(p.layers[5].kind == "BatchNormalization");
    CHECK(*p.layers[7].activation == "sigmoid");

    CHECK(*p.loss.name == "mean_squared_error");
    CHECK(*p.optimizer.name == "rmsprop");
    CHECK(p.optimizer.written_as_string);
    CHECK(p.optimizer.lr.kind == OriginKind::Default);
    CHECK(*p.optimizer.lr == Approx(0.001));
    CHECK(p.optimizer.lr.origin == span_of(src, "'rmsprop'"));
    CHECK(p.epochs.kind == OriginKind::Default);
    CHECK(*p.epochs == 1);
    CHECK(p.epochs.origin == span_of(src, "model.fit(x_train, y_train)"));
    CHECK(p.batch_size.kind == OriginKind::Default);
    CHECK(*p.batch_size == 32);

    CHECK(*p.data.source == "imdb");
    CHECK(p.data.is_sequence);
    CHECK(p.data.input_shape == std::vector<int64_t>{80});
    CHECK(p.data.labels == LabelFormat::Binary);
    CHECK(*p.data.input_max == 19999);
}

TEST_CASE("Wrapped recurrent layers in a Sequential list; compile without fit", "[parser][keras]") {
    const std::string src = read_fixture("keras_rnn.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 3);
    CHECK(p.layers[1].kind == "Bidirectional");
    REQUIRE(p.layers[1].inner.size() == 1);
    CHECK(p.layers[1].inner[0].kind == "LSTM");
    CHECK(*p.layers[1].inner[0].units == 32);
    CHECK(*p.layers[1].inner[0].activation == "tanh");
    CHECK(*p.layers[1].inner[0].params.at("return_sequences") == 1);
    CHECK(p.layers[2].kind == "TimeDistributed");
    CHECK(*p.layers[2].activation == "softmax");
    CHECK(*p.loss.name == "categorical_crossentropy");
    CHECK(p.loss.call == span_of(src, "keras.losses.categorical_crossentropy"));
    CHECK(*p.optimizer.name == "adagrad");
    CHECK(*p.optimizer.lr == Approx(0.01)); // Keras 2.3 Adagrad default
    CHECK(p.optimizer.lr.kind == OriginKind::Default);
    CHECK(p.optimizer.lr.origin == span_of(src, "keras.optimizers.Adagrad()"));
    CHECK_FALSE(p.epochs.known());
    bool fit_note = false;
    for (const Note& n : p.notes)
        fit_note = fit_note || n.message.find("fit") != std::string::npos;
    CHECK(fit_note);
}

TEST_CASE("Keras 1 Theano dim ordering: set_image_dim_ordering('th') makes convolutions channels-first",
          "[parser][keras]") {
    const std::string src = R"(from keras import backend as K
from keras.models import Sequential
from keras.layers import Convolution2D, MaxPooling2D, Flatten, Dense
from keras.datasets import mnist
K.set_image_dim_ordering('th')
img_rows, img_cols = 28, 28
(X_train, y_train), (X_test, y_test) = mnist.load_data()
X_train = X_train.reshape(X_train.shape[0], 1, img_rows, img_cols)
model = Sequential()
model.add(Convolution2D(nb_filter=16, nb_row=5, nb_col=5, border_mode='valid', input_shape=(1, img_rows, img_cols)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Convolution2D(8, 3, 3, dim_ordering='tf'))
model.add(Flatten())
model.add(Dense(10, activation='softmax'))
model.compile(loss='sparse_categorical_crossentropy', optimizer='adadelta')
model.fit(X_train, y_train, batch_size=128, nb_epoch=12)
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 5);
    CHECK(p.layers[0].channels_first);
    CHECK(*p.layers[0].units == 16);
    CHECK(*p.layers[0].params.at("kernel_size") == 5);
    CHECK(*p.layers[0].params.at("kernel_size2") == 5);
    CHECK(p.layers[0].padding == "valid");
    CHECK(p.layers[1].channels_first);
    CHECK_FALSE(p.layers[2].channels_first);
    CHECK(p.data.input_shape == std::vector<int64_t>{1, 28, 28});
    CHECK(*p.epochs == 12);
}
