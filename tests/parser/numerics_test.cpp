// The numeric facts: logarithms in hand-written losses, float16 compute, optimizer epsilon, scaled labels and
// where the inputs can be standardized.
#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

namespace {

const std::string kTf1Head = R"(import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data
mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
x = tf.placeholder(tf.float32, [None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.nn.softmax(tf.matmul(x, W) + b)
y_ = tf.placeholder(tf.float32, [None, 10])
)";

std::string tf1_with_loss(const std::string& loss_lines) {
    return kTf1Head + loss_lines +
           "train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)\n"
           "sess = tf.InteractiveSession()\n"
           "for _ in range(1000):\n"
           "    batch_xs, batch_ys = mnist.train.next_batch(100)\n"
           "    sess.run(train_step, feed_dict={x: batch_xs, y_: batch_ys})\n";
}

} // namespace

TEST_CASE("TF1 hand-written cross-entropy: the unguarded log and its argument", "[parser][numerics]") {
    const std::string src = tf1_with_loss("cross_entropy = -tf.reduce_sum(y_ * tf.log(y))\n");
    TrainingProgram p = parse_program(src);
    CHECK(*p.loss.name == "categorical_crossentropy");
    REQUIRE(p.loss.unguarded_log);
    CHECK(p.loss.unguarded_log->call == span_of(src, "tf.log(y)"));
    CHECK(p.loss.unguarded_log->argument == span_of(src, "y", "tf.log("));
    CHECK(p.loss.unguarded_log->clip == "tf.clip_by_value");
    CHECK(p.loss.unguarded_log->applied == "softmax");

    SECTION("tf.math.log is the same function") {
        const std::string m = tf1_with_loss("cross_entropy = -tf.reduce_sum(y_ * tf.math.log(y))\n");
        TrainingProgram q = parse_program(m);
        REQUIRE(q.loss.unguarded_log);
        CHECK(q.loss.unguarded_log->clip == "tf.clip_by_value");
    }
}

TEST_CASE("TF1 log guards: + eps, clip_by_value, through names", "[parser][numerics]") {
    for (const std::string loss : {
             "cross_entropy = -tf.reduce_sum(y_ * tf.log(y + 1e-9))\n",
             "eps = 1e-10\ncross_entropy = -tf.reduce_sum(y_ * tf.log(y + eps))\n",
             "cross_entropy = -tf.reduce_sum(y_ * tf.log(tf.clip_by_value(y, 1e-10, 1.0)))\n",
             "p = tf.clip_by_value(y, 1e-10, 1.0)\ncross_entropy = -tf.reduce_sum(y_ * tf.log(p))\n",
             "cross_entropy = -tf.reduce_sum(y_ * tf.log(tf.maximum(y, 1e-12)))\n",
         }) {
        INFO(loss);
        TrainingProgram p = parse_program(tf1_with_loss(loss));
        CHECK(*p.loss.name == "categorical_crossentropy");
        CHECK_FALSE(p.loss.unguarded_log);
        // The network is still read behind the guard.
        REQUIRE(p.layers.size() == 1);
        CHECK(*p.layers[0].activation == "softmax");
    }
}

TEST_CASE("PyTorch: a log in the back-propagated expression", "[parser][numerics]") {
    const std::string head = R"(import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
model = nn.Sequential(nn.Linear(784, 10), nn.Softmax(dim=1))
optimizer = optim.SGD(model.parameters(), lr=0.01)
for epoch in range(10):
    for inputs, targets in train_loader:
        optimizer.zero_grad()
        probs = model(inputs)
)";
    const std::string tail = "        loss.backward()\n        optimizer.step()\n";
    SECTION("-(y * torch.log(p)).sum()") {
        const std::string src = head + "        loss = -(targets * torch.log(probs)).sum()\n" + tail;
        TrainingProgram p = parse_program(src);
        REQUIRE(p.loss.unguarded_log);
        CHECK(p.loss.unguarded_log->call == span_of(src, "torch.log(probs)"));
        CHECK(p.loss.unguarded_log->argument == span_of(src, "probs", "torch.log("));
        CHECK(p.loss.unguarded_log->clip == "torch.clamp");
    }
    SECTION("NLLLoss of torch.log through a name") {
        const std::string src =
            head + "        logp = torch.log(probs)\n        loss = F.nll_loss(logp, targets)\n" + tail;
        TrainingProgram p = parse_program(src);
        REQUIRE(p.loss.unguarded_log);
        CHECK(p.loss.unguarded_log->call == span_of(src, "torch.log(probs)"));
    }
    SECTION("clamped, or a library loss: nothing") {
        for (const std::string line : {
                 "        loss = -(targets * torch.log(torch.clamp(probs, min=1e-8))).sum()\n",
                 "        loss = -(targets * torch.log(probs.clamp(min=1e-8))).sum()\n",
                 "        loss = -(targets * torch.log(probs + 1e-8)).sum()\n",
                 "        loss = nn.CrossEntropyLoss()(probs, targets)\n",
             }) {
            INFO(line);
            CHECK_FALSE(parse_program(head + line + tail).loss.unguarded_log);
        }
    }
}

TEST_CASE("Keras: a loss function of the script with K.log", "[parser][numerics]") {
    const std::string src = R"(from keras import backend as K
from keras.models import Sequential
from keras.layers import Dense
def my_loss(y_true, y_pred):
    logp = K.log(y_pred)
    return -K.sum(y_true * logp, axis=-1)
model = Sequential()
model.add(Dense(3, input_dim=4, activation='softmax'))
model.compile(loss=my_loss, optimizer='sgd')
)";
    TrainingProgram p = parse_program(src);
    REQUIRE(p.loss.unguarded_log);
    CHECK(p.loss.unguarded_log->call == span_of(src, "K.log(y_pred)"));
    CHECK(p.loss.unguarded_log->clip == "K.clip");
    std::string clipped = src;
    clipped.replace(clipped.find("K.log(y_pred)"), 13, "K.log(K.clip(y_pred, 1e-7, 1.0))");
    CHECK_FALSE(parse_program(clipped).loss.unguarded_log);
}

TEST_CASE("float16: where it is written, and what is not float16", "[parser][numerics]") {
    SECTION("TF1 placeholder through a name") {
        const std::string src = "import tensorflow as tf\ndtype = tf.float16\n"
                                "inpt = tf.placeholder(dtype, (4, 16, 16, 3), name='input')\n";
        TrainingProgram p = parse_program(src);
        REQUIRE(p.float16.known());
        CHECK(*p.float16);
        CHECK(p.float16.origin == line_of(src, "dtype = tf.float16"));
        CHECK(*p.float16.literal == span_of(src, "tf.float16"));
        REQUIRE(p.float16.uses.size() == 1);
        CHECK(p.float16.uses[0] == line_of(src, "inpt = "));
    }
    SECTION("Keras set_floatx and a layer dtype") {
        CHECK(*parse_program("from keras import backend as K\nK.set_floatx('float16')\n").float16);
        CHECK(*parse_program("from tensorflow import keras\nd = keras.layers.Dense(4, dtype='float16')\n")
                   .float16);
    }
    SECTION("PyTorch model.half(), not data.half()") {
        const std::string model = "import torch\nimport torch.nn as nn\n"
                                  "model = nn.Sequential(nn.Linear(4, 2))\n";
        CHECK(*parse_program(model + "model.half()\n").float16);
        CHECK(*parse_program(model + "model = model.to(torch.float16)\n").float16);
        CHECK_FALSE(*parse_program(model + "x = torch.randn(8, 4).half()\n").float16);
    }
    SECTION("a float16 Input feeds float32 layers, which cast it") {
        CHECK_FALSE(
            *parse_program("from tensorflow import keras\ninp = keras.Input(shape=(4,), dtype='float16')\n")
                 .float16);
    }
    SECTION("mixed precision and numpy casts are not float16 compute") {
        CHECK_FALSE(*parse_program("from tensorflow.keras import mixed_precision\n"
                                   "mixed_precision.set_global_policy('mixed_float16')\n")
                         .float16);
        CHECK_FALSE(
            *parse_program("import numpy as np\nimport keras\nx = np.zeros((4, 2)).astype('float16')\n")
                 .float16);
    }
}

TEST_CASE("Optimizer epsilon: written, framework default, absent", "[parser][numerics]") {
    SECTION("TF1 AdamOptimizer default 1e-8, at the call") {
        const std::string src = tf1_with_loss("cross_entropy = -tf.reduce_sum(y_ * tf.log(y + 1e-9))\n");
        std::string adam = src;
        adam.replace(adam.find("GradientDescentOptimizer(0.5)"), 29, "AdamOptimizer(1e-3)");
        TrainingProgram p = parse_program(adam);
        REQUIRE(p.optimizer.epsilon.known());
        CHECK(*p.optimizer.epsilon == Approx(1e-8));
        CHECK(p.optimizer.epsilon.kind == OriginKind::Default);
        CHECK(p.optimizer.epsilon_keyword == "epsilon");
        CHECK(p.optimizer.arguments == span_of(adam, "(1e-3)"));
        // Plain gradient descent has none.
        CHECK_FALSE(parse_program(src).optimizer.epsilon.known());
    }
    SECTION("Keras: written, default 1e-7, and the string form") {
        const std::string base = "from keras.models import Sequential\nfrom keras.layers import Dense\n"
                                 "from keras.optimizers import Adam\nmodel = Sequential()\n"
                                 "model.add(Dense(1, input_dim=3, activation='sigmoid'))\n";
        const std::string written =
            base + "model.compile(loss='binary_crossentropy', optimizer=Adam(epsilon=1e-3))\n";
        TrainingProgram p = parse_program(written);
        CHECK(*p.optimizer.epsilon == Approx(1e-3));
        CHECK(p.optimizer.epsilon.kind == OriginKind::Literal);
        CHECK(*p.optimizer.epsilon.literal == span_of(written, "1e-3"));
        CHECK(*parse_program(base + "model.compile(loss='binary_crossentropy', optimizer=Adam())\n")
                   .optimizer.epsilon == Approx(1e-7));
        TrainingProgram s =
            parse_program(base + "model.compile(loss='binary_crossentropy', optimizer='adam')\n");
        CHECK(*s.optimizer.epsilon == Approx(1e-7));
        CHECK(s.optimizer.epsilon.kind == OriginKind::Default);
    }
    SECTION("PyTorch eps=") {
        const std::string src = "import torch\nimport torch.nn as nn\nimport torch.optim as optim\n"
                                "model = nn.Sequential(nn.Linear(4, 2))\n"
                                "optimizer = optim.Adam(model.parameters(), lr=1e-3, eps=1e-4)\n";
        TrainingProgram p = parse_program(src);
        CHECK(*p.optimizer.epsilon == Approx(1e-4));
        CHECK(p.optimizer.epsilon_keyword == "eps");
    }
}

TEST_CASE("Labels scaled like pixels: the statement, and whether it can go", "[parser][numerics]") {
    const std::string head = "from keras.datasets import mnist\nfrom keras.models import Sequential\n"
                             "from keras.layers import Dense\n"
                             "(x_train, y_train), (x_test, y_test) = mnist.load_data()\n"
                             "x_train = x_train.reshape(60000, 784) / 255\n";
    const std::string tail =
        "model = Sequential()\nmodel.add(Dense(10, activation='softmax', input_shape=(784,)))\n"
        "model.compile(loss='sparse_categorical_crossentropy', optimizer='adam')\n"
        "model.fit(x_train, y_train, epochs=5)\n";
    SECTION("y = y / 255") {
        const std::string src = head + "y_train = y_train / 255\n" + tail;
        TrainingProgram p = parse_program(src);
        CHECK(p.data.labels == LabelFormat::Integer);
        REQUIRE(p.data.labels_scaled.known());
        CHECK(*p.data.labels_scaled);
        CHECK(p.data.labels_scaled.origin == line_of(src, "y_train = y_train / 255"));
        CHECK(p.data.labels_scaling_removable);
    }
    SECTION("y /= 255.0 and a cast on the way") {
        CHECK(parse_program(head + "y_train /= 255.0\n" + tail).data.labels_scaling_removable);
        CHECK(parse_program(head + "y_train = y_train.astype('float32') / 255\n" + tail)
                  .data.labels_scaling_removable);
    }
    SECTION("scaled together with the inputs: the statement stays") {
        TrainingProgram p = parse_program(head + "x_test, y_train = x_test / 255, y_train / 255\n" + tail);
        CHECK(*p.data.labels_scaled);
        CHECK_FALSE(p.data.labels_scaling_removable);
    }
    SECTION("labels as loaded") {
        TrainingProgram p = parse_program(head + tail);
        REQUIRE(p.data.labels_scaled.known());
        CHECK_FALSE(*p.data.labels_scaled);
    }
}

TEST_CASE("Features from a file: the selection before the split is where scaling goes",
          "[parser][numerics]") {
    const std::string src = R"(import numpy as np
from sklearn.model_selection import train_test_split
from keras.models import Sequential
from keras.layers import Dense
dataset = np.loadtxt('data.csv', delimiter=',')
X = dataset[:, 0:8]
Y = dataset[:, 8]
X_train, X_test, y_train, y_test = train_test_split(X, Y, test_size=0.33)
model = Sequential()
model.add(Dense(1, input_dim=8, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam')
model.fit(X_train, y_train, epochs=150, batch_size=10)
)";
    TrainingProgram p = parse_program(src);
    CHECK(*p.data.source == "csv");
    CHECK_FALSE(*p.data.scaled);
    CHECK(p.data.inputs_bound == line_of(src, "X = dataset[:, 0:8]"));
    CHECK(p.data.inputs_name == "X");

    SECTION("a Keras Normalization layer scales them inside the model") {
        std::string norm = src;
        norm.insert(norm.find("model = Sequential()"),
                    "from tensorflow.keras.layers import Normalization\nnorm = Normalization()\n"
                    "norm.adapt(X_train)\n");
        TrainingProgram q = parse_program(norm);
        REQUIRE(q.data.scaled.known());
        CHECK(*q.data.scaled);
        CHECK(q.data.scaled.origin == line_of(norm, "norm = Normalization()"));
    }
}
