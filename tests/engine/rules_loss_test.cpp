#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

namespace {

// A two-layer Keras classifier whose output layer, loss and labels the test chooses.
struct Classifier {
    Script s;
    TrainingProgram p;
    Classifier(const std::string& output_call, const std::string& loss_quoted, const std::string& loss,
               LabelFormat labels = LabelFormat::OneHot, int64_t classes = 10)
        : s("model = Sequential()\n"
            "model.add(Dense(64, activation='relu', input_dim=20))\n"
            "model.add(" +
            output_call +
            ")\n"
            "model.compile(loss=" +
            loss_quoted +
            ", optimizer='adam')\n"
            "model.fit(x, y, epochs=50, batch_size=32)\n") {
        p.framework = Framework::Keras;
        p.model_span = s.find("Sequential()");
        p.layers.push_back(keras_layer(s, "Dense(64, activation='relu', input_dim=20)"));
        p.layers.push_back(keras_layer(s, output_call));
        p.compile_call = s.find("model.compile(");
        p.loss = keras_loss(s, loss_quoted, loss);
        p.optimizer = string_optimizer(s, "'adam'", "adam", 0.001);
        p.fit_call = s.find("model.fit(");
        p.epochs = literal<int64_t>(50, s.find("50"));
        p.batch_size = literal<int64_t>(32, s.find("32"));
        p.data.labels = labels;
        p.data.num_classes = literal<int64_t>(classes, s.find("y"));
        p.data.num_samples = literal<int64_t>(1000, s.find("x"));
    }
    std::vector<Finding> run() const { return run_static_checks(p); }
};

} // namespace

TEST_CASE("FL101: categorical cross-entropy on a single sigmoid unit, at the loss literal with a fix") {
    Classifier c("Dense(1, activation='sigmoid')", "'categorical_crossentropy'", "categorical_crossentropy",
                 LabelFormat::Binary, 2);
    auto findings = c.run();
    const Finding* f = find_code(findings, "FL101");
    REQUIRE(f);
    CHECK(f->fault == Fault::loss);
    CHECK(f->severity == Severity::Error);
    CHECK(c.s.at(f->range) == "'categorical_crossentropy'");
    CHECK(f->message.find("1-unit output") != std::string::npos);
    REQUIRE(f->fixes.size() == 1);
    CHECK(c.s.apply(f->fixes[0].edits).find("loss='binary_crossentropy'") != std::string::npos);
    // The output layer is related information.
    bool output_related = false;
    for (const auto& r : f->related)
        output_related = output_related || c.s.at(r) == "Dense(1, activation='sigmoid')";
    CHECK(output_related);
    CHECK(f->related.size() == f->related_messages.size());
}

TEST_CASE("FL101 names the loss-0 effect with softmax, and keeps double quotes") {
    Classifier c("Dense(1, activation='softmax')", "\"categorical_crossentropy\"", "categorical_crossentropy",
                 LabelFormat::Binary, 2);
    auto findings = c.run();
    const Finding* f = find_code(findings, "FL101");
    REQUIRE(f);
    CHECK(f->message ==
          "categorical_crossentropy on a 1-unit output always gives loss 0 (softmax of one unit is 1.0)");
    REQUIRE(f->fixes.size() == 1);
    CHECK(c.s.apply(f->fixes[0].edits).find("loss=\"binary_crossentropy\"") != std::string::npos);
}

TEST_CASE("FL102: binary cross-entropy on a 10-unit softmax") {
    Classifier c("Dense(10, activation='softmax')", "'binary_crossentropy'", "binary_crossentropy");
    auto findings = c.run();
    const Finding* f = find_code(findings, "FL102");
    REQUIRE(f);
    CHECK(f->fault == Fault::loss);
    REQUIRE(f->fixes.size() == 1);
    CHECK(c.s.apply(f->fixes[0].edits).find("loss='categorical_crossentropy'") != std::string::npos);

    SECTION("integer labels get the sparse loss as fix") {
        c.p.data.labels = LabelFormat::Integer;
        auto again = c.run();
        const Finding* g = find_code(again, "FL102");
        REQUIRE(g);
        CHECK(c.s.apply(g->fixes[0].edits).find("loss='sparse_categorical_crossentropy'") !=
              std::string::npos);
    }
}

TEST_CASE("binary cross-entropy on a multi-unit sigmoid (multi-label) does not fire") {
    Classifier c("Dense(3, activation='sigmoid')", "'binary_crossentropy'", "binary_crossentropy",
                 LabelFormat::Unknown, 3);
    CHECK(c.run().empty());
}

TEST_CASE("FL103: cross-entropy on a linear output inserts the activation after the units") {
    Classifier c("Dense(10)", "'categorical_crossentropy'", "categorical_crossentropy");
    auto findings = c.run();
    const Finding* f = find_code(findings, "FL103");
    REQUIRE(f);
    CHECK(f->fault == Fault::act);
    CHECK(c.s.at(f->range) == "Dense(10)");
    REQUIRE(f->fixes.size() == 1);
    CHECK(c.s.apply(f->fixes[0].edits).find("model.add(Dense(10, activation='softmax'))") !=
          std::string::npos);

    SECTION("from_logits=True is correct") {
        c.p.loss.from_logits = true;
        CHECK_FALSE(has_code(c.run(), "FL103"));
    }
    SECTION("an unknown activation is skipped") {
        c.p.layers.back().activation = unknown<std::string>(c.p.layers.back().span);
        CHECK(c.run().empty());
    }
}

TEST_CASE("FL103 reads a following Activation layer, and Dense(10) + Activation('softmax') is correct") {
    Script s("model.add(Dense(10))\nmodel.add(Activation('linear'))\nmodel.compile(loss='categorical_"
             "crossentropy')\n");
    TrainingProgram p;
    p.framework = Framework::TfKeras;
    p.layers.push_back(keras_layer(s, "Dense(10)"));
    p.layers.push_back(keras_layer(s, "Activation('linear')"));
    p.loss = keras_loss(s, "'categorical_crossentropy'", "categorical_crossentropy");
    auto findings = run_static_checks(p);
    const Finding* f = find_code(findings, "FL103");
    REQUIRE(f);
    CHECK(s.at(f->range) == "'linear'");
    REQUIRE(f->fixes.size() == 1);
    CHECK(s.apply(f->fixes[0].edits).find("Activation('softmax')") != std::string::npos);

    p.layers.back().activation = literal<std::string>("softmax", s.find("'linear'"));
    CHECK(run_static_checks(p).empty());
}

TEST_CASE("FL104: sparse loss with one-hot labels - FL152: categorical loss with integer labels") {
    Classifier sparse("Dense(10, activation='softmax')", "'sparse_categorical_crossentropy'",
                      "sparse_categorical_crossentropy", LabelFormat::OneHot);
    auto a = sparse.run();
    REQUIRE(codes(a) == std::vector<std::string>{"FL104"});
    CHECK(sparse.s.apply(a[0].fixes[0].edits).find("loss='categorical_crossentropy'") != std::string::npos);

    Classifier cat("Dense(10, activation='softmax')", "'categorical_crossentropy'",
                   "categorical_crossentropy", LabelFormat::Integer);
    auto b = cat.run();
    REQUIRE(codes(b) == std::vector<std::string>{"FL152"});
    CHECK(cat.s.apply(b[0].fixes[0].edits).find("loss='sparse_categorical_crossentropy'") !=
          std::string::npos);

    SECTION("unknown labels stay silent") {
        sparse.p.data.labels = LabelFormat::Unknown;
        cat.p.data.labels = LabelFormat::Unknown;
        CHECK(sparse.run().empty());
        CHECK(cat.run().empty());
    }
    SECTION("PyTorch CrossEntropyLoss takes one-hot probabilities") {
        sparse.p.framework = Framework::PyTorch;
        sparse.p.loss.from_logits = true;
        sparse.p.layers.back().activation = defaulted<std::string>("linear", sparse.p.layers.back().span);
        CHECK_FALSE(has_code(sparse.run(), "FL104"));
    }
}

TEST_CASE("FL105: mean squared error on a softmax classifier") {
    Classifier c("Dense(3, activation='softmax')", "'mean_squared_error'", "mean_squared_error",
                 LabelFormat::Unknown, 3);
    auto findings = c.run();
    const Finding* f = find_code(findings, "FL105");
    REQUIRE(f);
    CHECK(c.s.at(f->range) == "'mean_squared_error'");
    CHECK(c.s.apply(f->fixes.at(0).edits).find("loss='categorical_crossentropy'") != std::string::npos);

    SECTION("real-valued targets make it a regression: FL105 stays silent") {
        c.p.data.labels = LabelFormat::Real;
        CHECK_FALSE(has_code(c.run(), "FL105"));
    }
    SECTION("MSE on a linear regression output is fine") {
        Classifier r("Dense(1)", "'mse'", "mean_squared_error", LabelFormat::Real, 0);
        r.p.data.num_classes = Value<int64_t>{};
        CHECK(r.run().empty());
    }
}

namespace {

// `class Net(nn.Module)` whose forward ends with the given layers after a Linear(128, 10).
struct TorchNet {
    Script s{R"(class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)
    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return F.softmax(x, dim=1)
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.01)
)"};
    TrainingProgram p;
    TorchNet() {
        p.framework = Framework::PyTorch;
        p.model_span = s.find("class Net(nn.Module):");
        Layer fc1;
        fc1.kind = "Dense";
        fc1.span = s.find("self.fc1(x)");
        fc1.units = literal<int64_t>(128, s.find("128"));
        fc1.activation = defaulted<std::string>("linear", fc1.span);
        Layer relu;
        relu.kind = "Activation";
        relu.span = s.find("F.relu(self.fc1(x))");
        relu.activation = literal<std::string>("relu", relu.span);
        Layer fc2;
        fc2.kind = "Dense";
        fc2.span = s.find("self.fc2(x)");
        fc2.units = literal<int64_t>(10, s.find("10)"));
        fc2.activation = defaulted<std::string>("linear", fc2.span);
        Layer softmax;
        softmax.kind = "Activation";
        softmax.span = s.find("F.softmax(x, dim=1)");
        softmax.activation = literal<std::string>("softmax", softmax.span);
        p.layers = {fc1, relu, fc2, softmax};
        p.loss.call = s.find("nn.CrossEntropyLoss()");
        p.loss.name = literal<std::string>("sparse_categorical_crossentropy", p.loss.call);
        p.loss.from_logits = true;
        p.optimizer = ctor_optimizer(s, "optim.SGD(net.parameters(), lr=0.01)", "sgd", "0.01", 0.01);
    }
};

} // namespace

TEST_CASE("FL106: PyTorch CrossEntropyLoss after an explicit softmax") {
    TorchNet t;
    auto findings = run_static_checks(t.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL106"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::act);
    CHECK(t.s.at(f.range) == "F.softmax(x, dim=1)");
    CHECK(f.fixes.empty()); // removing a call from forward() is not a minimal literal edit

    SECTION("raw logits are correct") {
        t.p.layers.pop_back();
        CHECK(run_static_checks(t.p).empty());
    }
}

TEST_CASE("FL107: NLLLoss needs log_softmax - FL108: BCELoss needs sigmoid") {
    TorchNet t;
    t.p.loss.name = literal<std::string>("nll", t.p.loss.call);
    t.p.loss.from_logits = false;
    CHECK(codes(run_static_checks(t.p)) == std::vector<std::string>{"FL107"});
    t.p.layers.back().activation = literal<std::string>("log_softmax", t.p.layers.back().span);
    CHECK(run_static_checks(t.p).empty());

    TorchNet b;
    b.p.layers.pop_back(); // output is the linear fc2
    b.p.loss.name = literal<std::string>("binary_crossentropy", b.p.loss.call);
    b.p.loss.from_logits = false;
    CHECK(codes(run_static_checks(b.p)) == std::vector<std::string>{"FL108"});
    b.p.loss.from_logits = true; // BCEWithLogitsLoss
    CHECK(run_static_checks(b.p).empty());
}

TEST_CASE("FL103 covers any non-probability output (tanh), with the literal replaced") {
    Classifier c("Dense(10, activation='tanh')", "'categorical_crossentropy'", "categorical_crossentropy");
    auto findings = c.run();
    REQUIRE(codes(findings) == std::vector<std::string>{"FL103"});
    CHECK(findings[0].message ==
          "categorical_crossentropy expects probabilities but the 10-unit output layer uses tanh");
    CHECK(c.s.apply(findings[0].fixes.at(0).edits).find("Dense(10, activation='softmax')") !=
          std::string::npos);
}

TEST_CASE("FL109: cross-entropy on real-valued targets is a loss fault, not an output one") {
    Classifier c("Dense(1)", "'binary_crossentropy'", "binary_crossentropy", LabelFormat::Real, 0);
    c.p.data.num_classes = Value<int64_t>{};
    c.p.data.source = literal<std::string>("boston_housing", c.s.find("x"));
    auto findings = c.run();
    REQUIRE(codes(findings) == std::vector<std::string>{"FL109"});
    CHECK(findings[0].fault == Fault::loss);
    CHECK(c.s.apply(findings[0].fixes.at(0).edits).find("loss='mean_squared_error'") != std::string::npos);

    SECTION("real targets inside [0, 1] are soft labels: the linear output is what is wrong") {
        c.p.data.source = literal<std::string>("random", c.s.find("x"));
        CHECK(codes(c.run()) == std::vector<std::string>{"FL103"});
        c.p.data.literal_y = {{0.5}, {12.0}};
        CHECK(codes(c.run()) == std::vector<std::string>{"FL109"});
    }
}
