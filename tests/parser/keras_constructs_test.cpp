#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("Layers assigned to names, model built in a function, optimizer by name", "[parser][keras]") {
    const std::string src = R"(from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import Adam
from keras.initializers import RandomNormal

def build(hidden):
    model = Sequential()
    layer1 = Dense(hidden, input_shape=(4,), kernel_initializer=RandomNormal(stddev=1))
    model.add(layer1)
    layer2 = Dense(3, activation='softmax')
    model.add(layer2)
    return model

model = build(16)
opt = Adam(learning_rate=0.05)
model.compile(optimizer=opt, loss='categorical_crossentropy')
model.fit(x, y, epochs=3)
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0].span ==
          span_of(src, "Dense(hidden, input_shape=(4,), kernel_initializer=RandomNormal(stddev=1))"));
    // `hidden` is the parameter of a function called once: its value is the argument of that call.
    CHECK(*p.layers[0].units == 16);
    CHECK(p.layers[0].units.origin == span_of(src, "16"));
    CHECK(*p.layers[0].kernel_initializer == "random_normal");
    CHECK(*p.layers[0].params.at("init_stddev") == 1);
    CHECK(*p.layers[1].activation == "softmax");
    CHECK(*p.optimizer.name == "adam");
    CHECK(p.optimizer.call == span_of(src, "Adam(learning_rate=0.05)"));
    REQUIRE(p.optimizer.name.uses.size() == 1);
    CHECK(p.optimizer.name.uses[0] == span_of(src, "opt", "optimizer=opt", 1));
    CHECK(*p.optimizer.lr == Approx(0.05));
    CHECK(p.optimizer.lr_keyword == "learning_rate");
    CHECK(p.model_span == span_of(src, "Sequential()"));
    // The data passed to fit is not in the script: reported, not guessed.
    CHECK_FALSE(p.data.source.known());
    CHECK_FALSE(p.data.source.note.empty());
}

TEST_CASE("Layers added in a loop are unrolled with the loop variable's values", "[parser][keras]") {
    const std::string src = R"(import keras
sizes = [64, 32, 16]
model = keras.models.Sequential()
model.add(keras.layers.Dense(128, input_dim=10, activation='relu'))
for n in sizes:
    model.add(keras.layers.Dense(n, activation='relu'))
    model.add(keras.layers.Dropout(0.1))
for i in range(2):
    model.add(keras.layers.Dense(8))
model.add(keras.layers.Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam')
)";
    TrainingProgram p = parse_program(src);
    std::vector<int64_t> units;
    for (const Layer& l : p.layers)
        if (l.kind == "Dense") units.push_back(*l.units);
    CHECK(units == std::vector<int64_t>{128, 64, 32, 16, 8, 8, 1});
    REQUIRE(p.layers.size() == 10);
    CHECK(p.layers[1].units.origin == span_of(src, "64"));
    CHECK(p.layers[2].kind == "Dropout");
    for (const Note& n : p.notes)
        CHECK_FALSE(n.blocks_probe);
}

TEST_CASE("fit_generator with datagen.flow, validation_data, sklearn iris", "[parser][keras]") {
    const std::string src = R"(from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from keras.utils import np_utils
from keras.preprocessing.image import ImageDataGenerator
from keras.models import Sequential
from keras.layers import Dense
iris = load_iris()
X, y = iris.data, iris.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
y_train = np_utils.to_categorical(y_train)
datagen = ImageDataGenerator()
model = Sequential([Dense(8, input_dim=4, activation='relu'), Dense(3, activation='softmax')])
model.compile(loss='categorical_crossentropy', optimizer='rmsprop')
model.fit_generator(datagen.flow(X_train, y_train, batch_size=16), steps_per_epoch=10, epochs=40,
                    validation_data=(X_test, y_test))
)";
    TrainingProgram p = parse_program(src);
    CHECK(*p.epochs == 40);
    CHECK(*p.batch_size == 16);
    CHECK(p.data.has_validation_data);
    CHECK(*p.data.source == "iris");
    CHECK(*p.data.num_samples == 120);
    CHECK(p.data.input_shape == std::vector<int64_t>{4});
    CHECK(p.data.labels == LabelFormat::OneHot);
    CHECK(*p.data.num_classes == 3);
    CHECK(p.fit_call.start.row == 13);
}

TEST_CASE("Custom losses and learning-rate schedules are reported, not guessed; merges are assumed",
          "[parser][keras]") {
    const std::string src = R"(import tensorflow as tf
from tensorflow import keras

def my_loss(y_true, y_pred):
    return tf.reduce_mean(tf.abs(y_true - y_pred))

schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.9)
a = keras.Input(shape=(8,))
b = keras.Input(shape=(8,))
merged = keras.layers.concatenate([a, b])
out = keras.layers.Dense(1)(merged)
model = keras.Model(inputs=[a, b], outputs=out)
model.compile(loss=my_loss, optimizer=keras.optimizers.SGD(learning_rate=schedule))
)";
    TrainingProgram p = parse_program(src);
    CHECK(p.loss.name.kind == OriginKind::Unknown);
    CHECK(p.loss.name.note.find("custom loss") != std::string::npos);
    CHECK(*p.optimizer.name == "sgd");
    CHECK(p.optimizer.lr.kind == OriginKind::Unknown);
    CHECK(p.optimizer.lr.note.find("schedule") != std::string::npos);
    // The merge follows its first input, and a note names that assumption and its line.
    bool merge_note = false;
    for (const Note& n : p.notes)
        merge_note = merge_note || (!n.blocks_probe &&
                                    n.message.find("assumed `keras.layers.concatenate([a, b])` passes its "
                                                   "first input `a` through") != std::string::npos &&
                                    n.message.find("(line 10)") != std::string::npos);
    CHECK(merge_note);
    REQUIRE(p.layers.size() == 1);
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{8});
}

TEST_CASE("Keras 1 functional API: Model(input=, output=), Input(shape=)", "[parser][keras]") {
    const std::string src = R"(from keras.layers import Input, Dense, Activation
from keras.models import Model
inp = Input(shape=(20,))
h = Dense(10, init='normal')(inp)
h = Activation('relu')(h)
o = Dense(1, activation='linear')(h)
model = Model(input=inp, output=o)
model.compile(loss='mae', optimizer='adadelta')
model.fit(X, Y, nb_epoch=7, batch_size=4)
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 3);
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{20});
    CHECK(*p.layers[0].kernel_initializer == "random_normal");
    CHECK(p.layers[1].kind == "Activation");
    CHECK(*p.layers[2].activation == "linear");
    CHECK(p.layers[2].activation.kind == OriginKind::Literal);
    CHECK(*p.loss.name == "mean_absolute_error");
    CHECK(*p.optimizer.name == "adadelta");
    CHECK(*p.optimizer.lr == Approx(1.0)); // Keras 2.3 Adadelta default
    CHECK(*p.epochs == 7);
    CHECK(p.data.input_shape == std::vector<int64_t>{20});
}

TEST_CASE("Subclassed tf.keras models: layers from __init__ in call() order", "[parser][keras]") {
    const std::string src = R"(import tensorflow as tf
from tensorflow.keras import layers

class Classifier(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(32, activation='relu')
        self.drop = layers.Dropout(0.3)
        self.out = layers.Dense(10)

    def call(self, inputs):
        x = self.hidden(inputs)
        x = self.drop(x)
        return tf.nn.softmax(self.out(x))

model = Classifier()
model.compile(optimizer=tf.keras.optimizers.RMSprop(0.01), loss='sparse_categorical_crossentropy')
(x, y), _ = tf.keras.datasets.mnist.load_data()
model.fit(x.reshape(-1, 784) / 255.0, y, epochs=4, batch_size=128)
)";
    TrainingProgram p = parse_program(src);
    CHECK(p.framework == Framework::TfKeras);
    CHECK(p.model_span.start.row == 3);
    std::vector<std::string> kinds;
    for (const Layer& l : p.layers)
        kinds.push_back(l.kind);
    CHECK(kinds == std::vector<std::string>{"Dense", "Dropout", "Dense", "Activation"});
    REQUIRE(p.layers.size() == 4);
    CHECK(p.layers[0].span == span_of(src, "self.hidden(inputs)"));
    CHECK(p.layers[0].units.origin == span_of(src, "32"));
    CHECK(*p.layers[3].activation == "softmax");
    CHECK(*p.optimizer.name == "rmsprop");
    CHECK(*p.optimizer.lr == Approx(0.01));
    CHECK(p.optimizer.lr_keyword.empty());
    CHECK(*p.data.source == "mnist");
    CHECK(p.data.input_shape == std::vector<int64_t>{784});
    CHECK(*p.data.scaled);
    CHECK(*p.epochs == 4);
    for (const Note& n : p.notes)
        CHECK_FALSE(n.blocks_probe);
}

TEST_CASE("fit on a datagen.flow generator, parallel assignments, input_shape from x.shape[1:]",
          "[parser][keras]") {
    const std::string src = R"(from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Conv2D, Flatten
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras.datasets import cifar10
from tensorflow.keras.utils import to_categorical
(x_train, y_train), (x_test, y_test) = cifar10.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
y_train, y_test = to_categorical(y_train), to_categorical(y_test)
model = Sequential([Conv2D(8, 3, input_shape=x_train.shape[1:]), Flatten(), Dense(10, activation='softmax')])
model.compile(optimizer='sgd', loss='categorical_crossentropy')
it_train = ImageDataGenerator(horizontal_flip=True).flow(x_train, y_train, batch_size=64)
model.fit(it_train, steps_per_epoch=781, epochs=100)
)";
    TrainingProgram p = parse_program(src);
    CHECK(p.layers.at(0).input_shape == std::vector<int64_t>{32, 32, 3});
    CHECK(*p.batch_size == 64);
    CHECK(*p.epochs == 100);
    CHECK(*p.data.source == "cifar10");
    CHECK(*p.data.scaled);
    CHECK(p.data.scaled.origin == line_of(src, "x_train / 255.0"));
    CHECK(p.data.labels == LabelFormat::OneHot);
    CHECK(*p.data.num_classes == 10);
    CHECK(*p.data.input_max == Approx(1.0));
}

TEST_CASE("Helpers that add layers to the model they are passed, also in loops", "[parser][keras]") {
    const std::string src = R"(from keras.models import Sequential
from keras.layers import Dense, Dropout

def block(m, units, rate=0.5):
    m.add(Dense(units, activation='relu'))
    m.add(Dropout(rate))

model = Sequential()
model.add(Dense(64, input_dim=10, activation='relu'))
block(model, 32)
for n in [16, 8]:
    block(model, n, rate=0.1)
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam')
)";
    TrainingProgram p = parse_program(src);
    std::vector<std::string> kinds;
    for (const Layer& l : p.layers)
        kinds.push_back(l.kind);
    CHECK(kinds == std::vector<std::string>{"Dense", "Dense", "Dropout", "Dense", "Dropout", "Dense",
                                            "Dropout", "Dense"});
    REQUIRE(p.layers.size() == 8);
    CHECK(*p.layers[1].units == 32);
    CHECK(p.layers[1].units.origin == span_of(src, "32"));
    CHECK(*p.layers[2].params.at("rate") == Approx(0.5));
    CHECK(*p.layers[3].units == 16);
    CHECK(*p.layers[4].params.at("rate") == Approx(0.1));
    CHECK(*p.layers[5].units == 8);
    CHECK(*p.layers[7].activation == "sigmoid");
}

TEST_CASE("Layer lists built by a comprehension; comprehension variables do not leak", "[parser][keras]") {
    const std::string src = R"(from tensorflow import keras
n = 5
sizes = [128, 64]
model = keras.Sequential([keras.layers.Dense(n, activation='relu') for n in sizes])
model.add(keras.layers.Dense(n))
model.compile(loss='mse', optimizer='adam')
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 3);
    CHECK(*p.layers[0].units == 128);
    CHECK(*p.layers[1].units == 64);
    CHECK(p.layers[1].units.origin == span_of(src, "64"));
    // Outside the comprehension, `n` is still the module-level 5.
    CHECK(*p.layers[2].units == 5);
}
