#include "faultline/engine/diagnose.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace faultline;

namespace {

// A model that answers fixed probabilities, so the test checks diagnose() and not a classifier.
class FixedModel : public DiagnosisModel {
public:
    explicit FixedModel(std::map<Fault, double> p) : p_(std::move(p)) {}
    std::map<Fault, double> predict(const std::vector<float>&) const override { return p_; }
    double threshold(Fault) const override { return 0.3; }

private:
    std::map<Fault, double> p_;
};

const char* kScript = R"(from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import SGD
from keras.datasets import mnist
from keras.utils import to_categorical

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(60000, 784).astype('float32') / 255
y_train = to_categorical(y_train, 10)
model = Sequential()
model.add(Dense(64, activation='relu', input_dim=784))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=5.0), metrics=['accuracy'])
model.fit(x_train, y_train, epochs=12, batch_size=32)
)";

// A finished probe of kScript (12 epochs written) that ran `epochs` epochs of 10 steps.
Trace probed(int64_t epochs) {
    Trace t;
    t.status = ProbeStatus::Ok;
    t.simulated_epochs = epochs;
    t.user_epochs = 12;
    t.steps = 10 * epochs;
    return t;
}

Trace exploding_trace() {
    Trace t = probed(4);
    const double nan = std::nan("");
    t.series["train_loss"] = {2.3, 14.5, nan, nan};
    t.series["train_acc"] = {0.1, 0.1, 0.1, 0.1};
    t.series["weight_change"] = {0.5, 3.0, nan, nan};
    t.diverged = true;
    return t;
}

} // namespace

TEST_CASE("a diagnosed type becomes a finding at the statement that sets it") {
    const TrainingProgram program = parse_program(kScript);
    const FixedModel model({{Fault::lr, 0.93}, {Fault::opt, 0.1}});
    const auto findings = diagnose(program, exploding_trace(), model);
    REQUIRE(findings.size() == 1);
    const Finding& f = findings.front();
    CHECK(f.code == "FL202");
    CHECK(f.fault == Fault::lr);
    CHECK(f.confidence == Approx(0.93));
    CHECK(f.severity == Severity::Warning);
    CHECK(f.range.start.row == 12); // the compile line holding SGD(lr=5.0), 0-based
    CHECK(f.message.find("NaN/Inf at epoch 3") != std::string::npos);
    CHECK(f.message.find("learning rate 5") != std::string::npos);
    CHECK(f.explanation.find("probability 0.93") != std::string::npos);
    CHECK(f.sources == std::vector<EvidenceSource>{EvidenceSource::Diagnosis});
}

TEST_CASE("evidence leaves out numbers the probe could not measure instead of quoting NaN") {
    const TrainingProgram program = parse_program(kScript);
    Trace t = probed(3);
    const double nan = std::nan("");
    // A stalled run whose gradients are all zero: the ratios and shares built from them are 0/0.
    t.series["train_loss"] = {1.19, 1.19, 1.19};
    t.series["val_acc"] = {0.5, nan, nan};
    for (const char* name :
         {"weight_change", "grad_ratio", "saturated_share", "zero_grad_share", "grad_norm_first"})
        t.series[name] = {nan, nan, nan};
    std::map<Fault, double> all;
    for (Fault f : diagnosed_faults())
        all[f] = 0.9;
    const auto findings = diagnose(program, t, FixedModel(all));
    REQUIRE(findings.size() >= 5);
    for (const auto& f : findings) {
        INFO(f.message);
        CHECK(f.message.find("NaN") == std::string::npos);
        CHECK(f.message.find("nan") == std::string::npos);
        CHECK(f.message.find("training loss stayed at 1.19") != std::string::npos);
    }
}

TEST_CASE("low probabilities are information, not alarms") {
    const TrainingProgram program = parse_program(kScript);
    // Threshold 0.3: alarms start at 0.3 + 0.2 * 0.7 = 0.44.
    const FixedModel model({{Fault::epoch, 0.4}});
    const auto findings = diagnose(program, exploding_trace(), model);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].code == "FL205");
    CHECK(findings[0].severity == Severity::Information);
}

TEST_CASE("no findings without a probe trace or without a statement to point at") {
    const FixedModel model({{Fault::lr, 0.99}});
    Trace skipped;
    skipped.status = ProbeStatus::Skipped;
    CHECK(diagnose(parse_program(kScript), skipped, model).empty());
    // Nothing in an empty program sets a learning rate.
    CHECK(diagnose(TrainingProgram{}, exploding_trace(), model).empty());
}

TEST_CASE("a trace probed beyond the diagnosis bounds is not diagnosed") {
    const FixedModel model({{Fault::lr, 0.99}});
    Trace big = exploding_trace();
    big.simulated_epochs = diagnosis_probe_options().max_epochs + 10;
    CHECK(diagnose(parse_program(kScript), big, model).empty());
}

TEST_CASE("every diagnosed type has its own code") {
    std::set<std::string> codes;
    for (Fault f : diagnosed_faults())
        codes.insert(diagnosis_code(f));
    CHECK(codes.size() == diagnosed_faults().size());
    CHECK(std::string(diagnosis_code(Fault::opt)) == "FL201");
    CHECK(std::string(diagnosis_code(Fault::weight_init)) == "FL208");
}
