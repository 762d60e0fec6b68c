#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("CSV data: column slices give the input width, no scaling points at the load", "[parser][data]") {
    const std::string src = read_fixture("keras_csv.py");
    TrainingProgram p = parse_program(src);
    CHECK(*p.data.source == "csv");
    CHECK(p.data.source.origin == line_of(src, "np.loadtxt"));
    CHECK(p.data.input_shape == std::vector<int64_t>{8});
    CHECK_FALSE(p.data.num_samples.known());
    REQUIRE(p.data.scaled.known());
    CHECK_FALSE(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "np.loadtxt"));
    CHECK_FALSE(p.data.input_max.known());
    // Units through a module-level name.
    CHECK(*p.layers[0].units == 12);
    CHECK(p.layers[0].units.origin == span_of(src, "12"));
    CHECK(p.layers[0].units.uses.at(0) == span_of(src, "n_hidden", "Dense("));
}

TEST_CASE("Literal XOR tables become literal data with binary labels", "[parser][data]") {
    const std::string src = read_fixture("keras_xor.py");
    TrainingProgram p = parse_program(src);
    CHECK(*p.data.source == "literal");
    CHECK(p.data.literal_x == std::vector<std::vector<double>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    CHECK(p.data.literal_y == std::vector<std::vector<double>>{{0}, {1}, {1}, {0}});
    CHECK(p.data.labels == LabelFormat::Binary);
    CHECK(*p.data.num_classes == 2);
    CHECK(*p.data.num_samples == 4);
    CHECK(*p.data.input_min == 0);
    CHECK(*p.data.input_max == 1);
    // SGD(0.1): positional learning rate, no keyword to keep.
    CHECK(*p.optimizer.lr == Approx(0.1));
    CHECK(p.optimizer.lr_keyword.empty());
    CHECK(*p.optimizer.lr.literal == span_of(src, "0.1"));
}

TEST_CASE("StandardScaler and train_test_split", "[parser][data]") {
    const std::string src = read_fixture("keras_scaled.py");
    TrainingProgram p = parse_program(src);
    CHECK(*p.data.source == "csv");
    CHECK(p.data.input_shape == std::vector<int64_t>{13});
    REQUIRE(p.data.scaled.known());
    CHECK(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "scaler.fit_transform"));
    CHECK(p.data.has_validation_data);
    CHECK(*p.optimizer.momentum == Approx(0.5));
    CHECK(p.optimizer.lr_keyword == "learning_rate");
}

TEST_CASE("Reshape with -1 and x.shape[0], astype, /= 255., to_categorical", "[parser][data]") {
    const std::string src = R"(from keras.datasets import fashion_mnist
from keras.utils import to_categorical
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense
(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train = x_train.reshape(x_train.shape[0], 28, 28, 1).astype('float32')
x_train /= 255.
y_train = to_categorical(y_train)
model = Sequential([Conv2D(8, (3, 3), activation='relu', input_shape=(28, 28, 1)), Flatten(), Dense(10, activation='softmax')])
model.compile('adam', 'categorical_crossentropy')
model.fit(x_train, y_train, 128, 3)
)";
    TrainingProgram p = parse_program(src);
    CHECK(*p.data.source == "fashion_mnist");
    CHECK(p.data.input_shape == std::vector<int64_t>{28, 28, 1});
    CHECK(*p.data.num_samples == 60000);
    CHECK(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "x_train /= 255."));
    CHECK(p.data.labels == LabelFormat::OneHot);
    CHECK(*p.data.num_classes == 10);
    CHECK(*p.batch_size == 128);
    CHECK(*p.epochs == 3);
    CHECK(*p.optimizer.name == "adam");
    CHECK(*p.loss.name == "categorical_crossentropy");
    CHECK(*p.layers[0].params.at("kernel_size") == 3);
}

TEST_CASE("np.random data and values through arithmetic", "[parser][data]") {
    const std::string src = R"(import numpy as np
from tensorflow import keras
n = 100 * 10
features = 4
x = np.random.rand(n, features)
y = np.random.randint(0, 3, size=(n,))
model = keras.Sequential([keras.layers.Dense(features * 2, input_shape=(features,)), keras.layers.Dense(3, activation='softmax')])
model.compile(optimizer=keras.optimizers.Adamax(), loss='sparse_categorical_crossentropy')
model.fit(x, y, epochs=int(2.5 * 4))
)";
    TrainingProgram p = parse_program(src);
    CHECK(*p.data.source == "random");
    CHECK(*p.data.num_samples == 1000);
    CHECK(p.data.input_shape == std::vector<int64_t>{4});
    CHECK(*p.data.input_min == 0);
    CHECK(*p.data.input_max == 1);
    CHECK(*p.layers[0].units == 8);
    CHECK(p.layers[0].units.kind == OriginKind::Derived);
    CHECK(*p.epochs == 10);
    CHECK(p.epochs.kind == OriginKind::Derived);
    CHECK(*p.optimizer.lr == Approx(0.001)); // tf.keras Adamax default
}

TEST_CASE("Thresholded targets and per-column standardization", "[parser][data]") {
    const std::string src = R"(import numpy as np
from keras.models import Sequential
from keras.layers import Dense
X = np.random.uniform(0, 100, size=(400, 3))
y = (X.sum(axis=1) > 150).astype(int)
X = (X - X.mean(axis=0)) / X.std(axis=0)
model = Sequential([Dense(1, input_dim=3, activation='sigmoid')])
model.compile(loss='binary_crossentropy', optimizer='sgd')
model.fit(X, y, epochs=5)
)";
    TrainingProgram p = parse_program(src);
    CHECK(p.data.labels == LabelFormat::Binary);
    CHECK(p.data.labels_span == line_of(src, "y = (X.sum"));
    CHECK(*p.data.num_classes == 2);
    REQUIRE(p.data.scaled.known());
    CHECK(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "X.std(axis=0)"));
    CHECK(*p.data.num_samples == 400);
}

TEST_CASE("An ImageDataGenerator with rescale scales what flow() feeds fit", "[parser][data]") {
    const std::string src = read_fixture("keras_generator_rescale.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.data.scaled.known());
    CHECK(*p.data.scaled);
    CHECK(p.data.scaled.origin == span_of(src, "ImageDataGenerator(rescale=1./255)"));
    REQUIRE(p.data.input_max.known());
    CHECK(*p.data.input_max == Approx(1.0));
    CHECK(*p.batch_size == 32);
}

TEST_CASE("An ImageDataGenerator without scaling leaves raw pixels raw", "[parser][data]") {
    const std::string src = read_fixture("keras_generator_no_rescale.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.data.scaled.known());
    CHECK_FALSE(*p.data.scaled);
    CHECK(*p.data.input_max == Approx(255.0));
}
