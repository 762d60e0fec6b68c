#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

TEST_CASE("FL141: 5 epochs of 30 batches (so_44164749's numbers)") {
    fltest::KerasMnist m;
    m.p.batch_size = literal<int64_t>(2000, m.p.batch_size.literal.value());
    auto findings = run_static_checks(m.p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL141"});
    const Finding& f = findings[0];
    CHECK(f.fault == Fault::epoch);
    CHECK(f.message ==
          "5 epochs of 30 batches (60000 samples, batch size 2000) give only 150 weight updates");
    CHECK(m.s.at(f.range) == "5");
    REQUIRE(f.fixes.size() == 1);
    CHECK_FALSE(f.fixes[0].preferred);
    CHECK(m.s.apply(f.fixes[0].edits).find("epochs=34") != std::string::npos);
}

TEST_CASE("FL141 is silent on ordinary schedules and unknown sizes") {
    fltest::KerasMnist m;
    m.p.epochs = literal<int64_t>(1, m.p.epochs.literal.value());
    CHECK(run_static_checks(m.p).empty()); // one MNIST epoch is 1,875 updates
    m.p.data.num_samples = Value<int64_t>{};
    m.p.batch_size = literal<int64_t>(60000, m.p.batch_size.literal.value());
    CHECK(run_static_checks(m.p).empty());
}

TEST_CASE("FL141 on a TF1 step loop - FL142: batch larger than the data") {
    Script s("for i in range(20):\n    sess.run(train_step)\n");
    TrainingProgram p;
    p.framework = Framework::TF1;
    p.steps = literal<int64_t>(20, s.find("20"));
    auto findings = run_static_checks(p);
    REQUIRE(codes(findings) == std::vector<std::string>{"FL141"});
    CHECK(s.at(findings[0].range) == "20");

    Script x("X = np.array([[0,0],[0,1],[1,0],[1,1]])\nmodel.fit(X, y, epochs=1000, batch_size=64)\n");
    TrainingProgram q;
    q.framework = Framework::Keras;
    q.fit_call = x.find("model.fit(");
    q.data.num_samples = literal<int64_t>(4, x.find("np.array"));
    q.epochs = literal<int64_t>(1000, x.find("1000"));
    q.batch_size = literal<int64_t>(64, x.find("64"));
    auto b = run_static_checks(q);
    REQUIRE(codes(b) == std::vector<std::string>{"FL142"});
    CHECK(b[0].severity == Severity::Information);
    CHECK(b[0].fault == Fault::batch_size);
    CHECK(x.at(b[0].range) == "64");
}
