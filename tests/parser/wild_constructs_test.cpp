// Constructs of maintained example scripts: raw TF1 variables, static RNNs, scalar regressions, Keras graphs
// with merges and sub-models, layer aliases, models passed to functions, PyTorch RNN outputs. Every
// assumption the parser makes is named by a note that these tests look for.
#include "helpers.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace faultline;
using namespace faultline::test;

namespace {

// The note whose message contains `text`, or nullptr.
const Note* note_with(const TrainingProgram& p, const std::string& text) {
    for (const Note& n : p.notes)
        if (n.message.find(text) != std::string::npos) return &n;
    return nullptr;
}

bool blocks(const TrainingProgram& p) {
    return std::any_of(p.notes.begin(), p.notes.end(), [](const Note& n) { return n.blocks_probe; });
}

} // namespace

TEST_CASE("TF1: weights in dicts, tf.add and tf.nn.bias_add are Dense layers", "[parser][tf1][wild]") {
    const std::string src = read_fixture("tf1_raw_variables.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0].kind == "Dense");
    CHECK(*p.layers[0].units == 64);
    CHECK(p.layers[0].units.origin == span_of(src, "64"));
    CHECK(*p.layers[0].params.at("in_features") == 784);
    CHECK(*p.layers[0].activation == "relu");
    CHECK(*p.layers[0].kernel_initializer == "random_normal");
    CHECK(*p.layers[0].bias_initializer == "zeros");
    CHECK(p.layers[1].kind == "Dense");
    CHECK(*p.layers[1].units == 10);
    CHECK(*p.layers[1].activation == "linear");
    CHECK(p.layers[1].span == span_of(src, "net(images)"));
    CHECK(p.data.input_shape == std::vector<int64_t>{784});
    CHECK(*p.loss.name == "categorical_crossentropy");
}

TEST_CASE("TF1: outputs[-1] of a static bidirectional RNN is its last step", "[parser][tf1][wild]") {
    const std::string src = read_fixture("tf1_static_rnn.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 2);
    const Layer& rnn = p.layers[0];
    CHECK(rnn.kind == "Bidirectional");
    REQUIRE(rnn.inner.size() == 1);
    CHECK(rnn.inner[0].kind == "LSTM");
    CHECK(*rnn.units == 96);
    CHECK(rnn.units.origin == span_of(src, "96"));
    CHECK(*rnn.params.at("return_sequences") == 0);
    CHECK(p.layers[1].kind == "Dense");
    CHECK(*p.layers[1].units == 10);
    CHECK(*p.layers[1].params.at("in_features") == 192);
    CHECK(p.data.input_shape == std::vector<int64_t>{28, 28});
    // The last step is what `[-1]` says: nothing is assumed.
    CHECK(note_with(p, "last step") == nullptr);
}

TEST_CASE("TF1: X * W + b with scalar variables and a summed square over 2n", "[parser][tf1][wild]") {
    const std::string src = read_fixture("tf1_scalar_regression.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 1);
    CHECK(p.layers[0].kind == "Dense");
    CHECK(*p.layers[0].units == 1);
    CHECK(p.layers[0].units.kind == OriginKind::Derived);
    CHECK(*p.layers[0].params.at("in_features") == 1);
    CHECK(p.layers[0].span == span_of(src, "tf.add(tf.multiply(X, W), b)"));
    CHECK(*p.loss.name == "mean_squared_error");
    CHECK(p.loss.reduction == "mean");
    CHECK(*p.optimizer.name == "sgd");
}

TEST_CASE("Keras: sizes computed at run time are assumed, each named by a note", "[parser][keras][wild]") {
    const std::string src = read_fixture("keras_assumed_sizes.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 3);
    const Layer& emb = p.layers[0];
    CHECK(emb.kind == "Embedding");
    CHECK_FALSE(emb.params.at("input_dim").known());
    CHECK(*emb.params.at("input_dim").assumed == 10000);
    const Note* vocab = note_with(p, "assumed a vocabulary of 10000 tokens");
    REQUIRE(vocab);
    CHECK(vocab->span == emb.span);
    CHECK(vocab->message.find("(line 13)") != std::string::npos);
    CHECK_FALSE(vocab->blocks_probe);

    const Layer& lstm = p.layers[1];
    CHECK(lstm.kind == "LSTM");
    CHECK_FALSE(lstm.units.known()); // rules see it as unknown
    CHECK(*lstm.units.assumed == 128);
    const Note* hidden = note_with(p, "assumed 128 units of this LSTM");
    REQUIRE(hidden);
    CHECK(hidden->message.find("`width`") != std::string::npos);
    CHECK(hidden->message.find("(line 14)") != std::string::npos);

    const Layer& out = p.layers[2];
    CHECK_FALSE(out.units.known());
    CHECK(*out.units.assumed == 10);
    const Note* classes = note_with(p, "assumed 10 units of this Dense (10 classes)");
    REQUIRE(classes);
    CHECK(classes->span == out.span);
    CHECK(classes->message.find("len(vocab)") != std::string::npos);
}

TEST_CASE("Keras: a class alias, a custom layer, residual sums, add merges and sub-models",
          "[parser][keras][wild]") {
    const std::string src = read_fixture("keras_graph_assumptions.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    std::vector<std::string> kinds;
    for (const Layer& l : p.layers)
        kinds.push_back(l.kind);
    CHECK(kinds ==
          std::vector<std::string>{"GRU", "Identity", "Flatten", "Dense", "Dense", "Dense", "Dense"});
    REQUIRE(p.layers.size() == 7);
    CHECK(*p.layers[0].units == 16); // `Recurrent = layers.GRU`
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{20, 8});
    CHECK(*p.layers[6].units == 3);
    CHECK(*p.layers[6].activation == "softmax");

    const Note* custom = note_with(p, "layer `Doubler` (defined in the script) keeps its input's shape");
    REQUIRE(custom);
    CHECK(custom->span == p.layers[1].span);
    CHECK(custom->message.find("(line 16)") != std::string::npos);
    const Note* residual = note_with(p, "`x += skip` passes `x` through");
    REQUIRE(residual);
    CHECK(residual->span == span_of(src, "x += skip"));
    const Note* merge = note_with(p, "`layers.add([y, x])` passes its first input `y` through");
    REQUIRE(merge);
    CHECK(merge->message.find("(line 23)") != std::string::npos);
}

TEST_CASE("Keras: Sequential(a + b) and a model compiled and fitted in a function it is passed to",
          "[parser][keras][wild]") {
    const std::string src = read_fixture("keras_model_passed.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 4);
    CHECK(p.layers[0].kind == "Flatten");
    CHECK(p.layers[3].kind == "Dense");
    CHECK(*p.layers[3].units == 10);
    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(*p.optimizer.name == "sgd");
    CHECK(*p.batch_size == 64);
    CHECK(p.fit_call == span_of(src, "net.fit(x, y, batch_size=64, epochs=rounds)"));
}

TEST_CASE("PyTorch: output[:, -1, :] of an unpacked GRU output, and an unknown module assumed",
          "[parser][pytorch][wild]") {
    const std::string src = read_fixture("torch_last_step.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 4);
    CHECK(p.layers[0].kind == "GRU");
    CHECK(*p.layers[0].units == 48);
    CHECK(*p.layers[0].params.at("return_sequences") == 0);
    CHECK(p.layers[1].kind == "Identity");
    CHECK(p.layers[2].kind == "Dense");
    CHECK(*p.layers[2].units == 5);
    CHECK(p.layers[3].kind == "Activation");
    const Note* module = note_with(p, "module `GhostNorm` (defined in the script) keeps its input's shape");
    REQUIRE(module);
    CHECK(module->message.find("(line 10)") != std::string::npos);
}

TEST_CASE("TF1: an entry of a tf.estimator model_fn's feature dict is the input", "[parser][tf1][wild]") {
    const std::string src = read_fixture("tf1_estimator.py");
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0].kind == "Dense");
    CHECK(*p.layers[0].units == 32);
    CHECK(*p.layers[0].activation == "relu");
    CHECK(*p.layers[1].units == 10);
    CHECK(*p.loss.name == "sparse_categorical_crossentropy");
    CHECK(p.data.input_shape == std::vector<int64_t>{784});
    const Note* input = note_with(p, "assumed `feats['pixels']` is the network's input (line 8)");
    REQUIRE(input);
    CHECK(input->span == span_of(src, "feats['pixels']"));
}

TEST_CASE("Keras: ConvLSTM2D returning sequences is a per-step Conv2D, named by a note",
          "[parser][keras][wild]") {
    const std::string src = R"(import numpy as np
from keras.models import Sequential
from keras.layers import BatchNormalization, ConvLSTM2D, Conv3D

frames = np.random.rand(64, 6, 16, 16, 1)
model = Sequential()
model.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), input_shape=(6, 16, 16, 1), padding='same',
                     return_sequences=True))
model.add(BatchNormalization())
model.add(Conv3D(filters=1, kernel_size=(3, 3, 3), padding='same'))
model.compile(loss='mse', optimizer='adadelta')
model.fit(frames, frames, batch_size=8, epochs=2)
)";
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 3);
    const Layer& td = p.layers[0];
    CHECK(td.kind == "TimeDistributed");
    CHECK(td.input_shape == std::vector<int64_t>{6, 16, 16, 1});
    REQUIRE(td.inner.size() == 1);
    CHECK(td.inner[0].kind == "Conv2D");
    CHECK(*td.inner[0].units == 8);
    CHECK(*td.inner[0].params.at("kernel_size") == 3);
    CHECK(td.inner[0].padding == "same");
    CHECK(*td.inner[0].activation == "tanh");
    const Note* per_step = note_with(p, "assumed `ConvLSTM2D` is a Conv2D applied at each step");
    REQUIRE(per_step);
    CHECK(per_step->message.find("(line 7)") != std::string::npos);
    CHECK(p.layers[1].kind == "BatchNormalization");
    CHECK(p.layers[2].kind == "Identity");
    CHECK(note_with(p, "assumed layer `Conv3D` keeps its input's shape") != nullptr);
}

TEST_CASE("Keras: an unpacked RNN output with an initial state from another branch",
          "[parser][keras][wild]") {
    const std::string src = R"(import numpy as np
from keras.layers import Dense, Input, LSTM
from keras.models import Model

enc_in = Input(shape=(None, 12))
_, h, c = LSTM(32, return_state=True)(enc_in)
dec_in = Input(shape=(None, 9))
dec_seq, _, _ = LSTM(32, return_sequences=True, return_state=True)(dec_in, initial_state=[h, c])
probs = Dense(9, activation='softmax')(dec_seq)
model = Model([enc_in, dec_in], probs)
model.compile(optimizer='rmsprop', loss='categorical_crossentropy')
model.fit([np.zeros((100, 7, 12)), np.zeros((100, 5, 9))], np.zeros((100, 5, 9)), batch_size=16, epochs=3)
)";
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 2);
    CHECK(p.layers[0].kind == "LSTM");
    CHECK(*p.layers[0].params.at("return_sequences") == 1);
    CHECK(p.layers[0].input_shape == std::vector<int64_t>{-1, 9});
    CHECK(p.layers[1].kind == "Dense");
    const Note* state = note_with(p, "assumed the initial state `[h, c]` is zeros");
    REQUIRE(state);
    CHECK(state->message.find("(line 8)") != std::string::npos);
}

TEST_CASE("Keras: layers added in a loop of unknown length are read once, named by a note",
          "[parser][keras][wild]") {
    const std::string src = R"(import sys
from keras.models import Sequential
from keras.layers import Dense

depth = int(sys.argv[1])
model = Sequential()
model.add(Dense(32, activation='relu', input_dim=8))
for _ in range(depth):
    model.add(Dense(32, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam')
)";
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 3);
    const Note* once = note_with(p, "assumed one iteration of the loop over `range(depth)`");
    REQUIRE(once);
    CHECK(once->message.find("(line 8)") != std::string::npos);
}

TEST_CASE("PyTorch: x.reshape(-1, 28, 28) keeps two axes, x.view(-1, n) flattens",
          "[parser][pytorch][wild]") {
    const std::string src = R"(import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=28, hidden_size=16, batch_first=True)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = x.reshape(-1, 28, 28)
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :].view(-1, 16))


model = Net()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
for epoch in range(3):
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward()
    opt.step()
)";
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 4);
    CHECK(p.layers[0].kind == "Reshape");
    CHECK(p.layers[0].target_shape == std::vector<int64_t>{-1, 28, 28});
    CHECK(p.layers[1].kind == "LSTM");
    CHECK(p.layers[2].kind == "Flatten");
    CHECK(p.layers[3].kind == "Dense");
}

TEST_CASE("Keras: RepeatVector(n) and its count", "[parser][keras][wild]") {
    const std::string src = R"(from keras.models import Sequential
from keras.layers import Dense, LSTM, RepeatVector, TimeDistributed

STEPS = 4
model = Sequential()
model.add(LSTM(32, input_shape=(7, 12)))
model.add(RepeatVector(STEPS))
model.add(LSTM(32, return_sequences=True))
model.add(TimeDistributed(Dense(12, activation='softmax')))
model.compile(loss='categorical_crossentropy', optimizer='adam')
)";
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 4);
    CHECK(p.layers[1].kind == "RepeatVector");
    CHECK(*p.layers[1].params.at("repeats") == 4);
    CHECK(p.layers[1].params.at("repeats").origin == span_of(src, "4"));
}

TEST_CASE("TF1: a helper's activation parameter called on its tensor, default or None",
          "[parser][tf1][wild]") {
    const std::string src = R"(import tensorflow as tf


def fc(inp, n_in, n_out, activation=tf.nn.relu):
    w = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1))
    b = tf.Variable(tf.constant(0.1, shape=[n_out]))
    act = tf.matmul(inp, w) + b
    if activation is not None:
        act = activation(act)
    return act


x = tf.placeholder(tf.float32, shape=[None, 20])
y = tf.placeholder(tf.float32, shape=[None, 3])
h = fc(x, 20, 16)
logits = fc(h, 16, 3, activation=None)
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
step = tf.train.AdamOptimizer(0.001).minimize(loss)
)";
    TrainingProgram p = parse_program(src);
    CHECK_FALSE(blocks(p));
    REQUIRE(p.layers.size() == 2);
    CHECK(*p.layers[0].units == 16);
    CHECK(*p.layers[0].activation == "relu");
    CHECK(p.layers[0].activation.origin == span_of(src, "tf.nn.relu"));
    CHECK(*p.layers[1].units == 3);
    CHECK(*p.layers[1].activation == "linear");
}
