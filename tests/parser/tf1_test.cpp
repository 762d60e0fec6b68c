#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

TEST_CASE("TF1: softmax regression with -reduce_sum(y * log(p)) and a step loop", "[parser][tf1]") {
    const std::string src = read_fixture("tf1_softmax.py");
    TrainingProgram p = parse_program(src);
    CHECK(p.framework == Framework::TF1);
    REQUIRE(p.layers.size() == 1);
    const Layer& d = p.layers[0];
    CHECK(d.kind == "Dense");
    CHECK(*d.units == 10);
    CHECK(d.units.origin == span_of(src, "10", "tf.zeros([784, "));
    CHECK(*d.params.at("in_features") == 784);
    CHECK(d.input_shape == std::vector<int64_t>{784});
    CHECK(*d.activation == "softmax");
    CHECK(d.activation.origin == span_of(src, "tf.nn.softmax"));
    CHECK(*d.kernel_initializer == "zeros");
    CHECK(d.span == span_of(src, "tf.nn.softmax(tf.matmul(images, weights) + bias)"));

    CHECK(*p.loss.name == "categorical_crossentropy");
    CHECK(p.loss.reduction == "sum");
    CHECK_FALSE(p.loss.from_logits);
    CHECK(p.loss.call == span_of(src, "-tf.reduce_sum(labels * tf.log(probs))"));

    CHECK(*p.optimizer.name == "sgd");
    CHECK(*p.optimizer.lr == Approx(0.5));
    CHECK(*p.optimizer.lr.literal == span_of(src, "0.5"));
    CHECK(p.optimizer.lr_keyword.empty());
    CHECK(p.compile_call == span_of(src, "tf.train.GradientDescentOptimizer(0.5).minimize(xent)"));

    CHECK(*p.steps == 500);
    CHECK(p.steps.origin == span_of(src, "500"));
    CHECK_FALSE(p.epochs.known());
    CHECK(*p.batch_size == 128);
    CHECK(p.loop.present);
    CHECK(p.fit_call.start.row == 13);
    // sess.run(step) is zero_grad, backward and step at once.
    const Span run = span_of(src, "sess.run(step, feed_dict={images: xs, labels: ys})");
    CHECK(p.loop.zero_grad == run);
    CHECK(p.loop.backward == run);
    CHECK(p.loop.step == run);

    CHECK(*p.data.source == "mnist");
    CHECK(p.data.input_shape == std::vector<int64_t>{784});
    CHECK(p.data.labels == LabelFormat::OneHot);
    CHECK(*p.data.num_classes == 10);
    CHECK(*p.data.scaled);
    CHECK(*p.data.input_max == 1);
}

TEST_CASE("TF1: helper functions, sigmoid, dropout keep_prob, MSE, Momentum, nested loops, fed arrays",
          "[parser][tf1]") {
    const std::string src = read_fixture("tf1_helpers.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 3);
    const Layer& h = p.layers[0];
    CHECK(h.kind == "Dense");
    CHECK(*h.units == 32);
    // The width is written once, `HIDDEN = 32`, and reaches the helper through its call.
    CHECK(h.units.origin == span_of(src, "32"));
    CHECK(*h.activation == "sigmoid");
    // A layer built by a helper points at the network code that calls the helper, not into the helper.
    CHECK(h.span == span_of(src, "tf.nn.sigmoid(dense(x, N_IN, HIDDEN))"));
    CHECK(p.layers[2].span == span_of(src, "dense(h, HIDDEN, 1)"));
    CHECK(*h.kernel_initializer == "random_normal");
    CHECK(*h.params.at("init_stddev") == Approx(0.05));
    CHECK(*h.bias_initializer == "constant");
    CHECK(*h.params.at("bias_init_value") == Approx(0.1));
    CHECK(p.layers[1].kind == "Dropout");
    CHECK(*p.layers[1].params.at("rate") == Approx(0.2));
    CHECK(*p.layers[2].units == 1);
    CHECK(*p.layers[2].activation == "linear");

    CHECK(*p.loss.name == "mean_squared_error");
    CHECK(*p.optimizer.name == "sgd");
    CHECK(*p.optimizer.momentum == Approx(0.9));
    CHECK(p.optimizer.lr_keyword == "learning_rate");
    CHECK(*p.optimizer.lr == Approx(0.01));
    CHECK(*p.epochs == 30);
    // Every run of the training op: 30 epochs of 10 steps; the literal to change is the inner loop's.
    CHECK(*p.steps == 300);
    CHECK(p.steps.kind == OriginKind::Derived);
    CHECK(p.steps.origin == span_of(src, "10", "range("));
    CHECK(*p.batch_size == 256);
    CHECK(p.batch_size.kind == OriginKind::Derived);
    CHECK(*p.data.source == "random");
    CHECK(p.data.input_shape == std::vector<int64_t>{6});
    CHECK(*p.data.input_min == -1);
    CHECK(*p.data.input_max == 1);
    CHECK(p.data.labels == LabelFormat::Real);
}

TEST_CASE("TF1: tf.layers and tf.losses, Adam default learning rate", "[parser][tf1]") {
    const std::string src = read_fixture("tf1_layers.py");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.layers.size() == 4);
    CHECK(p.layers[0].kind == "Conv2D");
    CHECK(*p.layers[0].units == 16);
    CHECK(*p.layers[0].activation == "relu");
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{28, 28, 1});
    CHECK(p.layers[1].kind == "MaxPooling2D");
    CHECK(p.layers[2].kind == "Flatten");
    CHECK(*p.layers[3].activation == "linear");
    CHECK(p.layers[3].activation.kind == OriginKind::Default);
    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(p.loss.from_logits);
    CHECK(*p.optimizer.name == "adam");
    CHECK(p.optimizer.lr.kind == OriginKind::Default);
    CHECK(*p.optimizer.lr == Approx(0.001));
    CHECK(p.optimizer.lr.origin == span_of(src, "tf.train.AdamOptimizer()"));
    bool no_loop = false;
    for (const Note& n : p.notes)
        no_loop = no_loop || n.message.find("sess.run") != std::string::npos;
    CHECK(no_loop);
}

TEST_CASE("TF1: manual batches X[k * B:(k + 1) * B] fed through names", "[parser][tf1]") {
    const std::string src = R"(import numpy as np
import tensorflow as tf
data = np.loadtxt('train.csv', delimiter=',')
X_all = data[:, 0:12]
Y_all = data[:, 12:13]
B = 25
x = tf.placeholder(tf.float32, [None, 12])
y = tf.placeholder(tf.float32, [None, 1])
pred = tf.layers.dense(x, 1, activation=tf.nn.sigmoid)
loss = tf.losses.log_loss(y, pred)
opt = tf.train.RMSPropOptimizer(0.001).minimize(loss)
with tf.Session() as sess:
    for epoch in range(20):
        for k in range(40):
            xb = X_all[k * B:(k + 1) * B]
            yb = Y_all[k * B:(k + 1) * B]
            sess.run(opt, {x: xb, y: yb})
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.batch_size.known());
    CHECK(*p.batch_size == 25);
    CHECK(p.batch_size.origin == span_of(src, "25"));
    CHECK(*p.data.source == "csv");
    CHECK(p.data.input_shape == std::vector<int64_t>{12});
    CHECK(*p.epochs == 20);
    CHECK(*p.steps == 800);
    CHECK(*p.loss.name == "binary_crossentropy");
    CHECK(*p.optimizer.name == "rmsprop");
    CHECK(*p.layers.at(0).activation == "sigmoid");
}

TEST_CASE("TF1: the batch of a single input queue", "[parser][tf1]") {
    const std::string src = R"(import tensorflow as tf
BATCH = 16
features, labels = tf.train.shuffle_batch([f, l], batch_size=BATCH, capacity=100, min_after_dequeue=10)
X = tf.placeholder(tf.float32, shape=[None, 9])
Y = tf.placeholder(tf.float32, shape=[None, 2])
w = tf.Variable(tf.random_normal([9, 2], stddev=0.01))
logits = tf.matmul(X, w)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=Y))
train = tf.train.AdagradOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    for step in range(300):
        xb, yb = sess.run([features, labels])
        sess.run(train, feed_dict={X: xb, Y: yb})
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.batch_size.known());
    CHECK(*p.batch_size == 16);
    CHECK(p.batch_size.origin == span_of(src, "16"));
    CHECK(*p.steps == 300);
    CHECK(*p.loss.name == "categorical_crossentropy");
    CHECK(p.loss.from_logits);
    CHECK(*p.optimizer.name == "adagrad");
    REQUIRE(p.layers.size() == 1);
    CHECK(*p.layers[0].units == 2);
    CHECK(*p.layers[0].params.at("init_stddev") == Approx(0.01));
}
