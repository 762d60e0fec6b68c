#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

TEST_CASE("FL131: SGD(lr=3.0) is too high, at the literal, fixed to Keras's default") {
    Script s("model.compile(optimizer=SGD(lr=3.0), loss='mean_squared_error')\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.optimizer = ctor_optimizer(s, "SGD(lr=3.0)", "sgd", "3.0", 3.0);
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL131"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::lr);
    CHECK(f.message == "learning rate 3 is too high for sgd (above 1)");
    CHECK(s.at(f.range) == "3.0");
    REQUIRE(f.fixes.size() == 1);
    CHECK(s.apply(f.fixes[0].edits) == "model.compile(optimizer=SGD(lr=0.01), loss='mean_squared_error')\n");
}

TEST_CASE("FL131 through a name points at the assignment with the optimizer call related") {
    Script s("LEARNING_RATE = 0.5\nopt = Adam(learning_rate=LEARNING_RATE)\n");
    TrainingProgram p;
    p.framework = Framework::TfKeras;
    p.optimizer.call = s.find("Adam(learning_rate=LEARNING_RATE)");
    p.optimizer.name = literal<std::string>("adam", p.optimizer.call);
    p.optimizer.lr = named(0.5, s.find("LEARNING_RATE = 0.5"), s.find("0.5"), s.find("LEARNING_RATE", 1));
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL131"});
    const Finding& f = findings[0];
    CHECK(s.at(f.range) == "LEARNING_RATE = 0.5");
    REQUIRE(f.related.size() == 2);
    CHECK(s.at(f.related[0]) == "LEARNING_RATE");
    CHECK(s.at(f.related[1]) == "Adam(learning_rate=LEARNING_RATE)");
    CHECK(s.apply(f.fixes.at(0).edits) == "LEARNING_RATE = 0.001\nopt = Adam(learning_rate=LEARNING_RATE)\n");
}

TEST_CASE("learning rates in range, defaults and unknowns do not fire") {
    Script s("opt = SGD(lr=0.5)\n");
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.optimizer = ctor_optimizer(s, "SGD(lr=0.5)", "sgd", "0.5", 0.5);
    CHECK(run_static_checks(p).empty()); // SGD at 0.5 is high but within the range that trains
    p.optimizer.name = literal<std::string>("adam", p.optimizer.call);
    CHECK(codes(run_static_checks(p)) == std::vector<std::string>{"FL131"});
    p.optimizer.lr = defaulted(0.001, p.optimizer.call);
    CHECK(run_static_checks(p).empty());
    p.optimizer.lr = unknown<double>(p.optimizer.call, "lr=config['lr']");
    CHECK(run_static_checks(p).empty());
    p.optimizer.name = unknown<std::string>(p.optimizer.call);
    p.optimizer.lr = literal(50.0, s.find("0.5"));
    CHECK(run_static_checks(p).empty()); // no bound for an unknown optimizer
}

TEST_CASE("FL132: a learning rate below 1e-6") {
    Script s("optimizer = torch.optim.Adam(model.parameters(), lr=1e-8)\n");
    TrainingProgram p;
    p.framework = Framework::PyTorch;
    p.optimizer = ctor_optimizer(s, "torch.optim.Adam(model.parameters(), lr=1e-8)", "adam", "1e-8", 1e-8);
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL132"});
    CHECK(findings[0].message.find("1e-08") != std::string::npos);
    CHECK(s.apply(findings[0].fixes.at(0).edits).find("lr=0.001)") != std::string::npos);
}
