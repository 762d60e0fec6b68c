// FL100, FL135, FL153, FL154 on hand-built programs: where each fires, what keeps it silent, and the text its
// fix produces.
#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

namespace {

struct Tf1Softmax {
    Script s{R"(import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 784])
y_ = tf.placeholder(tf.float32, [None, 10])
y_conv = tf.nn.softmax(tf.matmul(x, W) + b)
cross_entropy = -tf.reduce_sum(y_ * tf.log(y_conv))
train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy)
)"};
    TrainingProgram p;
    Tf1Softmax() {
        p.framework = Framework::TF1;
        Layer dense;
        dense.kind = "Dense";
        dense.span = s.find("tf.matmul(x, W) + b");
        dense.units = literal<int64_t>(10, s.find("10"));
        dense.activation = literal<std::string>("softmax", s.find("tf.nn.softmax"));
        p.layers.push_back(dense);
        Span loss = s.find("-tf.reduce_sum(y_ * tf.log(y_conv))");
        p.loss.name = literal<std::string>("categorical_crossentropy", loss);
        p.loss.call = loss;
        p.loss.reduction = "sum";
        Loss::UnguardedLog log;
        log.call = s.find("tf.log(y_conv)");
        log.argument = s.find_in(log.call, "y_conv");
        log.clip = "tf.clip_by_value";
        p.loss.unguarded_log = log;
        p.optimizer.call = s.find("tf.train.AdamOptimizer(1e-4)");
        p.optimizer.name = literal<std::string>("adam", s.find("tf.train.AdamOptimizer"));
        p.optimizer.lr = literal(1e-4, s.find("1e-4"));
        p.optimizer.arguments = s.find("(1e-4)");
        p.optimizer.epsilon = defaulted(1e-8, p.optimizer.call);
        p.optimizer.epsilon_keyword = "epsilon";
        p.compile_call = s.find("minimize(cross_entropy)");
        p.float16 = defaulted(false, Span{});
    }
};

} // namespace

TEST_CASE("FL100: log of softmax probabilities without a guard, on the loss statement") {
    Tf1Softmax t;
    auto findings = run_static_checks(t.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL100"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::loss);
    CHECK(f.severity == Severity::Warning);
    CHECK(f.range.start.row == t.s.line("cross_entropy ="));
    CHECK(f.message ==
          "the loss takes the log of softmax probabilities with no guard: a probability of 0 gives -inf");
    REQUIRE(f.fixes.size() == 1);
    CHECK(f.fixes[0].preferred);
    std::string fixed = t.s.apply(f.fixes[0].edits);
    CHECK(fixed.find("-tf.reduce_sum(y_ * tf.log(tf.clip_by_value(y_conv, 1e-10, 1.0)))") !=
          std::string::npos);

    SECTION("no unguarded log: silent") {
        t.p.loss.unguarded_log.reset();
        CHECK(run_static_checks(t.p).empty());
    }
    SECTION("the argument is not known to be probabilities: silent") {
        t.p.layers[0].activation = literal<std::string>("linear", t.s.find("tf.matmul"));
        CHECK(run_static_checks(t.p).empty());
        t.p.loss.unguarded_log->applied = "sigmoid"; // visibly a sigmoid, whatever the network's output
        CHECK(codes(run_static_checks(t.p)) == std::vector<std::string>{"FL100"});
    }
    SECTION("PyTorch spells the guard as a clamp; a method call gets no edit") {
        t.p.framework = Framework::PyTorch;
        t.p.loss.unguarded_log->clip = "torch.clamp";
        auto torch = run_static_checks(t.p);
        REQUIRE(torch.size() == 1);
        REQUIRE(torch[0].fixes.size() == 1);
        CHECK(t.s.apply(torch[0].fixes[0].edits).find("tf.log(torch.clamp(y_conv, min=1e-10))") !=
              std::string::npos);
        t.p.loss.unguarded_log->clip.clear();
        CHECK(run_static_checks(t.p).at(0).fixes.empty());
    }
    SECTION("a log far from the loss statement is reported at the log") {
        t.p.loss.call = t.s.find("y_conv = tf.nn.softmax");
        t.p.loss.name.origin = t.p.loss.call;
        auto moved = run_static_checks(t.p);
        REQUIRE(moved.size() == 1);
        CHECK(moved[0].range == t.p.loss.unguarded_log->call);
    }
}

TEST_CASE("FL135: float16 with the default Adam epsilon, at the optimizer") {
    Tf1Softmax t;
    t.p.loss.unguarded_log.reset();
    t.p.float16 = literal(true, t.s.find("x = tf.placeholder(tf.float32, [None, 784])"));
    auto findings = run_static_checks(t.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL135"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::opt);
    CHECK(f.range.start.row == t.s.line("train_step"));
    CHECK(f.message ==
          "adam in float16 with the default epsilon 1e-08: it rounds to 0 in float16, so the update "
          "divides by zero");
    REQUIRE(f.related.size() >= 1);
    REQUIRE(f.fixes.size() == 1);
    CHECK(t.s.apply(f.fixes[0].edits).find("tf.train.AdamOptimizer(1e-4, epsilon=1e-4)") !=
          std::string::npos);

    SECTION("float32: silent") {
        t.p.float16 = defaulted(false, Span{});
        CHECK(run_static_checks(t.p).empty());
    }
    SECTION("an epsilon float16 holds: silent") {
        t.p.optimizer.epsilon = literal(1e-4, t.s.find("1e-4"));
        CHECK(run_static_checks(t.p).empty());
    }
    SECTION("SGD has no epsilon") {
        t.p.optimizer.name = literal<std::string>("sgd", t.s.find("tf.train.AdamOptimizer"));
        t.p.optimizer.epsilon = Value<double>{};
        CHECK(run_static_checks(t.p).empty());
    }
    SECTION("Keras' 1e-7 is a subnormal: the message says where it overflows") {
        t.p.optimizer.epsilon = defaulted(1e-7, t.p.optimizer.call);
        auto keras = run_static_checks(t.p);
        REQUIRE(keras.size() == 1);
        CHECK(keras[0].message.find("is a float16 subnormal") != std::string::npos);
    }
    SECTION("a written epsilon is replaced; empty parentheses get the argument alone") {
        t.p.optimizer.epsilon = literal(1e-8, t.s.find("1e-4"));
        auto written = run_static_checks(t.p);
        REQUIRE(written.at(0).fixes.size() == 1);
        CHECK(written[0].fixes[0].edits.at(0).new_text == "1e-4");
        Script empty("opt = tf.train.AdamOptimizer()\n");
        t.p.optimizer.call = empty.find("tf.train.AdamOptimizer()");
        t.p.optimizer.arguments = empty.find("()");
        t.p.optimizer.name = literal<std::string>("adam", empty.find("tf.train.AdamOptimizer"));
        t.p.optimizer.lr = defaulted(0.001, t.p.optimizer.call);
        t.p.optimizer.epsilon = defaulted(1e-8, t.p.optimizer.call);
        t.p.compile_call = {};
        t.p.float16 = literal(true, empty.find("opt"));
        auto bare = run_static_checks(t.p);
        REQUIRE(bare.at(0).fixes.size() == 1);
        CHECK(empty.apply(bare[0].fixes[0].edits) == "opt = tf.train.AdamOptimizer(epsilon=1e-4)\n");
    }
}

TEST_CASE("FL153: class labels scaled like pixels, at the scaling statement") {
    KerasMnist m;
    Script s(m.s.text() + "y_train = y_train / 255\n");
    m.p.loss = keras_loss(s, "\"categorical_crossentropy\"", "sparse_categorical_crossentropy");
    m.p.data.labels = LabelFormat::Integer;
    m.p.data.labels_scaled = literal(true, s.find("y_train = y_train / 255"));
    m.p.data.labels_scaling_removable = true;
    auto findings = run_static_checks(m.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL153"});
    const Finding& f = findings[0];
    CHECK(f.severity == Severity::Error);
    CHECK(f.fault == Fault::data_preprocessing);
    CHECK(f.range.start.row == s.line("y_train = y_train / 255"));
    REQUIRE(f.fixes.size() == 1);
    std::string fixed = s.apply(f.fixes[0].edits);
    CHECK(fixed.find("y_train / 255") == std::string::npos);

    SECTION("only the loss says classification: a warning") {
        m.p.data.labels = LabelFormat::Unknown;
        auto w = run_static_checks(m.p);
        REQUIRE(codes(w) == std::vector<std::string>{"FL153"});
        CHECK(w[0].severity == Severity::Warning);
    }
    SECTION("a regression target may be scaled") {
        m.p.data.labels = LabelFormat::Real;
        m.p.loss = keras_loss(s, "\"categorical_crossentropy\"", "mean_squared_error");
        CHECK_FALSE(has_code(run_static_checks(m.p), "FL153"));
    }
    SECTION("labels still whole numbers after the scaling are classes") {
        m.p.data.labels = LabelFormat::Binary;
        m.p.data.literal_y = {{0}, {1}, {1}, {0}};
        CHECK(run_static_checks(m.p).empty());
    }
    SECTION("a statement that also scales something else is not removed") {
        m.p.data.labels_scaling_removable = false;
        auto kept = run_static_checks(m.p);
        REQUIRE(kept.size() == 1);
        CHECK(kept[0].fixes.empty());
    }
}

TEST_CASE("FL154: unstandardized features from a file, at their selection") {
    Script s(R"(dataset = np.loadtxt('data.csv', delimiter=',')
X = dataset[:, 0:8]
Y = dataset[:, 8]
model.add(Dense(12, input_dim=8, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='adam')
model.fit(X, Y, epochs=150, batch_size=10)
)");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers.push_back(keras_layer(s, "Dense(12, input_dim=8, activation='relu')"));
    p.layers.push_back(keras_layer(s, "Dense(1, activation='sigmoid')"));
    p.loss = keras_loss(s, "'binary_crossentropy'", "binary_crossentropy");
    p.optimizer = string_optimizer(s, "'adam'", "adam", 0.001);
    p.fit_call = s.find("model.fit(X, Y, epochs=150, batch_size=10)");
    p.epochs = literal<int64_t>(150, s.find("150"));
    p.batch_size = literal<int64_t>(10, s.find("10", 0, s.find("batch_size").start_byte));
    Span load = s.find("dataset = np.loadtxt('data.csv', delimiter=',')");
    p.data.source = literal<std::string>("csv", load);
    p.data.scaled = defaulted(false, load);
    p.data.scaled.kind = OriginKind::Derived;
    p.data.input_min = unknown<double>(load);
    p.data.input_max = unknown<double>(load);
    p.data.inputs_bound = s.find("X = dataset[:, 0:8]");
    p.data.inputs_name = "X";
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL154"});
    const Finding& f = findings[0];
    CHECK(f.severity == Severity::Warning);
    CHECK(f.range.start.row == 1);
    CHECK(f.message == "features read from a file reach the network without standardization");
    REQUIRE(f.fixes.size() == 1);
    CHECK(f.fixes[0].preferred);
    CHECK(s.apply(f.fixes[0].edits)
              .find("X = dataset[:, 0:8]\nX = (X - X.mean(axis=0)) / (X.std(axis=0) + "
                    "1e-8)\nY = dataset[:, 8]") != std::string::npos);

    SECTION("separate validation data: the fix is offered, not preferred") {
        p.data.has_validation_data = true;
        CHECK_FALSE(run_static_checks(p).at(0).fixes.at(0).preferred);
    }
    SECTION("no selection statement: at the load, without a fix") {
        p.data.inputs_bound = {};
        p.data.inputs_name.clear();
        auto at_load = run_static_checks(p);
        REQUIRE(at_load.size() == 1);
        CHECK(at_load[0].range.start.row == 0);
        CHECK(at_load[0].fixes.empty());
    }
    SECTION("scaled, normalised by the first layer, sequences, or a known range: silent") {
        auto silent = [](TrainingProgram q) { return !has_code(run_static_checks(q), "FL154"); };
        TrainingProgram scaled = p;
        scaled.data.scaled = literal(true, load);
        CHECK(silent(scaled));
        TrainingProgram bn = p;
        Layer first;
        first.kind = "BatchNormalization";
        first.span = load;
        bn.layers.insert(bn.layers.begin(), first);
        CHECK(silent(bn));
        TrainingProgram seq = p;
        seq.data.is_sequence = true;
        CHECK(silent(seq));
        TrainingProgram known = p;
        known.data.input_max = literal(711.0, load);
        CHECK(silent(known));
        TrainingProgram images = p;
        images.data.source = literal<std::string>("mnist", load);
        CHECK(silent(images));
    }
}
