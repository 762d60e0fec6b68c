#include "faultline/engine/rules.h"
#include "program_builder.h"

using namespace fltest;

namespace {

struct TorchLoop {
    Script s{R"(for epoch in range(10):
    for x, y in loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    val_loss = criterion(model(x_val), y_val)
)"};
    TrainingProgram p;
    TorchLoop() {
        p.framework = Framework::PyTorch;
        p.loop.present = true;
        p.loop.loop = s.find("for epoch in range(10):");
        p.loop.zero_grad = s.find("optimizer.zero_grad()");
        p.loop.backward = s.find("loss.backward()");
        p.loop.step = s.find("optimizer.step()");
    }
};

} // namespace

TEST_CASE("a complete PyTorch loop is silent") {
    TorchLoop t;
    CHECK(run_static_checks(t.p).empty());
}

TEST_CASE("FL161-FL163: missing zero_grad, backward, step") {
    TorchLoop t;
    t.p.loop.zero_grad.reset();
    auto a = run_static_checks(t.p);
    REQUIRE(codes(a) == std::vector<std::string>{"FL161"});
    CHECK(a[0].severity == Severity::Warning);
    CHECK(t.s.at(a[0].range) == "for epoch in range(10):");

    TorchLoop b;
    b.p.loop.backward.reset();
    CHECK(codes(run_static_checks(b.p)) == std::vector<std::string>{"FL162"});

    TorchLoop c;
    c.p.loop.step.reset();
    auto cf = run_static_checks(c.p);
    REQUIRE(codes(cf) == std::vector<std::string>{"FL163"});
    CHECK(cf[0].severity == Severity::Error);
}

TEST_CASE("a loop that calls none of them is not treated as a training loop") {
    TorchLoop t;
    t.p.loop.zero_grad.reset();
    t.p.loop.backward.reset();
    t.p.loop.step.reset();
    CHECK(run_static_checks(t.p).empty());
}

TEST_CASE("FL164: validation without eval/no_grad is information") {
    TorchLoop t;
    t.p.loop.validation_without_no_grad = true;
    t.p.loop.validation = t.s.find("val_loss = criterion(model(x_val), y_val)");
    auto f = run_static_checks(t.p);
    REQUIRE(codes(f) == std::vector<std::string>{"FL164"});
    CHECK(f[0].severity == Severity::Information);
}

TEST_CASE("disabled rules are not reported") {
    TorchLoop t;
    t.p.loop.zero_grad.reset();
    CheckOptions options;
    options.disabled.insert("FL161");
    CHECK(run_static_checks(t.p, options).empty());
}
