#include "faultline/engine/diagnose.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace faultline;

namespace {

size_t index_of(const std::string& name) {
    const auto& names = feature_names();
    auto it = std::find(names.begin(), names.end(), name);
    REQUIRE(it != names.end());
    return static_cast<size_t>(it - names.begin());
}

TrainingProgram small_program() {
    TrainingProgram p;
    p.framework = Framework::Keras;
    Layer hidden;
    hidden.kind = "Dense";
    hidden.units.value = 16;
    hidden.activation.value = "relu";
    Layer out;
    out.kind = "Dense";
    out.units.value = 3;
    out.activation.value = "sigmoid";
    p.layers = {hidden, out};
    p.loss.name.value = "categorical_crossentropy";
    p.optimizer.name.value = "sgd";
    p.optimizer.lr.value = 0.1;
    p.epochs.value = 12;
    p.batch_size.value = 32;
    p.data.num_classes.value = 3;
    p.data.labels = LabelFormat::OneHot;
    p.data.num_samples.value = 640;
    return p;
}

} // namespace

TEST_CASE("feature names are unique and as many as the values") {
    const auto& names = feature_names();
    REQUIRE(std::set<std::string>(names.begin(), names.end()).size() == names.size());
    Trace t;
    t.status = ProbeStatus::Ok;
    REQUIRE(extract_features(small_program(), t).size() == names.size());
}

TEST_CASE("series statistics land under their own names") {
    Trace t;
    t.status = ProbeStatus::Ok;
    t.series["train_loss"] = {4.0, 2.0, 1.0, 1.0};
    t.series["val_acc"] = {0.2, 0.4, 0.6};
    t.series["weight_change"] = {1e-9, 1e-9, std::nan("")};
    t.flags["nan_loss"] = {0, 0, 1, 1};
    const auto f = extract_features(small_program(), t);
    CHECK(f[index_of("train_loss.mean")] == Approx(2.0));
    CHECK(f[index_of("train_loss.median")] == Approx(1.5));
    CHECK(f[index_of("train_loss.max")] == Approx(4.0));
    CHECK(f[index_of("train_loss.min")] == Approx(1.0));
    CHECK(f[index_of("train_loss.var")] == Approx(2.0)); // sample variance of 4,2,1,1
    CHECK(f[index_of("train_loss.std")] == Approx(std::sqrt(2.0)));
    CHECK(f[index_of("train_loss.sem")] == Approx(std::sqrt(2.0 / 4.0)));
    CHECK(f[index_of("train_loss.skew")] > 0.0f); // a long tail towards the high first value
    CHECK(f[index_of("train_loss.first")] == Approx(4.0));
    CHECK(f[index_of("train_loss.last")] == Approx(1.0));
    CHECK(f[index_of("val_acc.last")] == Approx(0.6));
    CHECK(f[index_of("val_acc.mean")] == Approx(0.4));
    CHECK(f[index_of("weight_change.nonfinite_share")] == Approx(1.0 / 3.0));
    CHECK(f[index_of("weight_change.mean")] == Approx(1e-9));
    CHECK(f[index_of("flag.nan_loss")] == Approx(0.5));
    CHECK(std::isnan(f[index_of("grad_ratio.mean")])); // absent series are missing, not zero
}

TEST_CASE("static features describe the program") {
    Trace t;
    t.status = ProbeStatus::Ok;
    const auto f = extract_features(small_program(), t);
    CHECK(f[index_of("static.loss=categorical_crossentropy")] == 1.0f);
    CHECK(f[index_of("static.loss_family=probabilistic")] == 1.0f);
    CHECK(f[index_of("static.output_activation=sigmoid")] == 1.0f);
    CHECK(f[index_of("static.output_activation=softmax")] == 0.0f);
    CHECK(f[index_of("static.output_units")] == 3.0f);
    CHECK(f[index_of("static.optimizer=sgd")] == 1.0f);
    CHECK(f[index_of("static.log10_lr")] == Approx(-1.0));
    CHECK(f[index_of("static.log10_epochs")] == Approx(std::log10(12.0)));
    CHECK(f[index_of("static.log10_batch_size")] == Approx(std::log10(32.0)));
    CHECK(f[index_of("static.depth")] == 2.0f);
    CHECK(f[index_of("static.task=multiclass")] == 1.0f);
    CHECK(f[index_of("static.output_matches_loss")] == 0.0f); // sigmoid under categorical cross-entropy
    CHECK(f[index_of("static.output_width_matches_task")] == 1.0f);
}

TEST_CASE("a default learning rate is the framework's") {
    auto p = small_program();
    p.optimizer.lr = {};
    p.optimizer.name.value = "adam";
    Trace t;
    const auto f = extract_features(p, t);
    CHECK(f[index_of("static.log10_lr")] == Approx(-3.0));
    CHECK(f[index_of("static.lr_written")] == 0.0f);
}
