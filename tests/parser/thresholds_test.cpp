// A 0.5 threshold on logits: where the comparison is, which expression holds the logits, the literal a fix
// replaces; nothing when the threshold is applied to probabilities or the logits are compared with 0.
#include "helpers.h"

#include <catch2/catch.hpp>

using namespace faultline;
using namespace faultline::test;

namespace {

std::string tf1(const std::string& prediction) {
    return "import tensorflow as tf\n"
           "x = tf.placeholder(tf.float32, [None, 4])\n"
           "y = tf.placeholder(tf.float32, [None, 1])\n"
           "w = tf.Variable(tf.zeros([4, 1]))\n"
           "z = tf.matmul(x, w)\n"
           "loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))\n"
           "step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)\n" +
           prediction + "\n";
}

std::string torch_loop(const std::string& prediction, const std::string& loss = "nn.BCEWithLogitsLoss()",
                       const std::string& last = "nn.Linear(8, 1)") {
    return "import torch\n"
           "from torch import nn\n"
           "net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), " +
           last +
           ")\n"
           "criterion = " +
           loss +
           "\n"
           "opt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
           "for xb, yb in loader:\n"
           "    opt.zero_grad()\n"
           "    out = net(xb)\n"
           "    loss = criterion(out, yb)\n"
           "    loss.backward()\n"
           "    opt.step()\n"
           "    " +
           prediction + "\n";
}

} // namespace

TEST_CASE("TF1: tf.greater(logits, 0.5) on the tensor a sigmoid cross-entropy receives",
          "[parser][thresholds]") {
    const std::string src = tf1("hit = tf.equal(tf.greater(z, 0.5), tf.greater(y, 0.5))");
    TrainingProgram p = parse_program(src);
    INFO(to_string(p.framework) << " loss " << p.loss.name.value_or("?") << " logits " << p.loss.from_logits);
    REQUIRE(p.logit_threshold);
    CHECK(p.logit_threshold->comparison == span_of(src, "tf.greater(z, 0.5)"));
    CHECK(p.logit_threshold->logits == span_of(src, "z", "tf.greater("));
    REQUIRE(p.logit_threshold->literal);
    CHECK(*p.logit_threshold->literal == span_of(src, "0.5", "tf.greater(z, "));
    CHECK(p.logit_threshold->sigmoid == "tf.sigmoid");

    SECTION("a comparison operator and rounding count too") {
        TrainingProgram q = parse_program(tf1("pred = z > 0.5"));
        REQUIRE(q.logit_threshold);
        TrainingProgram r = parse_program(tf1("pred = tf.round(z)"));
        REQUIRE(r.logit_threshold);
        CHECK_FALSE(r.logit_threshold->literal);
    }
    SECTION("probabilities and a threshold at 0 are right") {
        CHECK_FALSE(parse_program(tf1("hit = tf.greater(tf.sigmoid(z), 0.5)")).logit_threshold);
        CHECK_FALSE(parse_program(tf1("p = tf.sigmoid(z)\nhit = tf.greater(p, 0.5)")).logit_threshold);
        CHECK_FALSE(parse_program(tf1("hit = tf.greater(z, 0.0)")).logit_threshold);
        CHECK_FALSE(parse_program(tf1("hit = tf.greater(y, 0.5)")).logit_threshold);
    }
}

TEST_CASE("PyTorch: thresholding a BCEWithLogitsLoss model's output", "[parser][thresholds]") {
    const std::string src = torch_loop("pred = (out > 0.5).float()");
    TrainingProgram p = parse_program(src);
    REQUIRE(p.logit_threshold);
    CHECK(p.logit_threshold->comparison == span_of(src, "out > 0.5"));
    CHECK(p.logit_threshold->sigmoid == "torch.sigmoid");

    CHECK(parse_program(torch_loop("pred = torch.round(out)")).logit_threshold);
    CHECK_FALSE(parse_program(torch_loop("pred = (torch.sigmoid(out) > 0.5).float()")).logit_threshold);
    CHECK_FALSE(parse_program(torch_loop("pred = (out > 0).float()")).logit_threshold);
    // With BCELoss the model must end in a sigmoid, and 0.5 is right.
    CHECK_FALSE(parse_program(
                    torch_loop("pred = (out > 0.5).float()", "nn.BCELoss()", "nn.Linear(8, 1), nn.Sigmoid()"))
                    .logit_threshold);
}

TEST_CASE("a deeply nested prediction is walked without recursion", "[parser][thresholds]") {
    // 20,000 nested parentheses around the logits: the walk must neither overflow the stack nor miss it.
    std::string nested = std::string(20000, '(') + "z" + std::string(20000, ')');
    TrainingProgram p = parse_program(tf1("hit = tf.greater(" + nested + ", 0.5)"));
    CHECK(p.loss.name.value_or("") == "binary_crossentropy");
}
