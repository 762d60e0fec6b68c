// Probes of program families the real scripts use (CNNs, LSTMs, regression, literal data, PyTorch, TF1) and
// of the probe's own guarantees (budget, cancellation, memory guard, errors as findings).
#include "faultline/engine/probe.h"
#include "programs.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

using namespace probe_test;
using faultline::Fault;
using faultline::ProbeOptions;
using faultline::ProbeResult;
using faultline::ProbeStatus;
using faultline::run_probe;

namespace {

TrainingProgram mnist_cnn(bool scaled) {
    TrainingProgram p = keras_program({conv2d(8, 3, "relu", {28, 28, 1}), layer("MaxPooling2D"),
                                       layer("Flatten"), dense(32, "relu"), dense(10, "softmax")},
                                      "categorical_crossentropy", "adam", 0.001, 3, 64);
    p.data.source = lit(std::string("mnist"));
    p.data.input_shape = {28, 28, 1};
    p.data.num_classes = lit(int64_t{10});
    p.data.labels = LabelFormat::OneHot;
    p.data.is_image = true;
    p.data.scaled = lit(scaled);
    return p;
}

TrainingProgram imdb_lstm() {
    Layer emb = with_param(layer("Embedding"), "input_dim", 5000);
    emb.units = lit(int64_t{32});
    TrainingProgram p = keras_program({emb, recurrent("LSTM", 32), dense(1, "sigmoid")},
                                      "binary_crossentropy", "adam", 0.001, 3, 64);
    p.data.source = lit(std::string("imdb"));
    p.data.input_shape = {80};
    p.data.labels = LabelFormat::Binary;
    p.data.is_sequence = true;
    return p;
}

// Resident set size of this process, from /proc.
long rss_kb() {
    std::ifstream status("/proc/self/status");
    std::string key;
    long value = 0;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> value;
            return value;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

} // namespace

CATCH_TEST_CASE("a small CNN on scaled images learns; on raw 0..255 pixels it trains worse",
                "[probe][images]") {
    ProbeResult scaled = run_probe(mnist_cnn(true), ProbeOptions{});
    CATCH_INFO(scaled.trace.reason);
    CATCH_REQUIRE(scaled.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(scaled.trace.data_description.find("0..1") != std::string::npos);
    CATCH_CHECK(scaled.trace.final_value("val_acc") > 0.8);

    ProbeResult raw = run_probe(mnist_cnn(false), ProbeOptions{});
    CATCH_REQUIRE(raw.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(raw.trace.data_description.find("0..255") != std::string::npos);
    // Raw pixels blow the pre-activations up: the softmax saturates, the ReLUs die, the loss sticks near
    // -log(1e-7), the way such scripts report "loss does not decrease".
    CATCH_CHECK(raw.trace.final_value("val_acc") < scaled.trace.final_value("val_acc") - 0.3);
    CATCH_CHECK(raw.trace.final_value("val_loss") > 5 * scaled.trace.final_value("val_loss"));
    bool stuck = raw.trace.flags.at("dying_relu").back() || raw.trace.flags.at("constant_output").back();
    CATCH_CHECK(stuck);
}

CATCH_TEST_CASE("an LSTM over token sequences learns", "[probe][rnn]") {
    ProbeResult r = run_probe(imdb_lstm(), ProbeOptions{});
    CATCH_INFO(r.trace.reason << " " << r.trace.data_description);
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.final_value("val_acc") > 0.75); // chance is 0.5
}

CATCH_TEST_CASE("a regression MLP reduces its loss and records no accuracy", "[probe][regression]") {
    TrainingProgram p =
        keras_program({dense(32, "relu", {13}), dense(1)}, "mean_squared_error", "adam", 0.01, 20, 32);
    p.data.source = lit(std::string("csv"));
    p.data.labels = LabelFormat::Real;
    p.data.num_samples = lit(int64_t{500});
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.series.count("train_acc") == 0);
    // Targets are standardized: predicting their mean scores 1.0.
    CATCH_CHECK(r.trace.final_value("val_loss") < 0.5);
    CATCH_CHECK(r.trace.final_value("train_loss") < r.trace.series.at("train_loss").front());
}

CATCH_TEST_CASE("literal XOR data is used as it is", "[probe][literal]") {
    TrainingProgram p = keras_program({dense(8, "tanh", {2}), dense(1, "sigmoid")}, "binary_crossentropy",
                                      "adam", 0.1, 300, 4);
    p.data.literal_x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    p.data.literal_y = {{0}, {1}, {1}, {0}};
    p.data.labels = LabelFormat::Binary;
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK_FALSE(r.trace.synthetic_data);
    CATCH_CHECK(r.trace.train_samples == 4);
    CATCH_CHECK(r.trace.final_value("train_acc") == 1.0);
    // 300 epochs of one step each do not fit 30 simulated epochs: the scale is recorded.
    CATCH_CHECK(r.trace.simulated_epochs == 30);
    CATCH_CHECK(r.trace.epoch_scale == Approx(10.0));
}

CATCH_TEST_CASE("a PyTorch classifier with CrossEntropyLoss on logits learns", "[probe][pytorch]") {
    Layer fc1 = with_param(dense(64, "relu", {}), "in_features", 784);
    Layer fc2 = with_param(dense(10, "linear"), "in_features", 64);
    TrainingProgram p = keras_program({fc1, fc2}, "sparse_categorical_crossentropy", "sgd", 0.1, 5, 64);
    p.framework = Framework::PyTorch;
    p.loss.from_logits = true;
    p.optimizer.momentum = lit(0.9);
    p.data.input_shape = {784};
    p.data.num_classes = lit(int64_t{10});
    p.data.labels = LabelFormat::Integer;
    p.loop.present = true;
    p.loop.zero_grad = line(20);
    p.loop.step = line(22);
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.final_value("val_acc") > 0.8);

    // Without zero_grad() the gradients pile up across steps, as in the script.
    p.loop.zero_grad.reset();
    ProbeResult piled = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(piled.trace.status == ProbeStatus::Ok);
    CATCH_CHECK_FALSE(piled.trace.notes.empty());
    CATCH_CHECK(piled.trace.final_value("val_acc") < r.trace.final_value("val_acc"));
}

CATCH_TEST_CASE("too few epochs stay visible: one epoch learns less than twenty", "[probe][schedule]") {
    ProbeResult one = run_probe(mnist_mlp("categorical_crossentropy", "sgd", 0.01, 1), ProbeOptions{});
    ProbeResult twenty = run_probe(mnist_mlp("categorical_crossentropy", "sgd", 0.01, 20), ProbeOptions{});
    CATCH_REQUIRE(one.trace.status == ProbeStatus::Ok);
    CATCH_REQUIRE(twenty.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(one.trace.simulated_epochs == 1);
    CATCH_CHECK(one.trace.epoch_scale == 1.0);
    CATCH_CHECK(twenty.trace.simulated_epochs == 20); // shortened epochs, not fewer
    CATCH_CHECK(twenty.trace.epoch_scale == 1.0);
    CATCH_CHECK(twenty.trace.steps <= ProbeOptions{}.max_steps);
    CATCH_CHECK(one.trace.final_value("val_acc") + 0.05 < twenty.trace.final_value("val_acc"));
}

namespace {

// The diagnosis probe's bounds: 256 rows out of MNIST's 60,000.
ProbeOptions small_probe() {
    ProbeOptions o;
    o.max_train_samples = 256;
    o.max_steps = 160;
    o.max_epochs = 10;
    return o;
}

bool has_note_containing(const faultline::Trace& t, const std::string& text) {
    for (const std::string& n : t.notes)
        if (n.find(text) != std::string::npos) return true;
    return false;
}

} // namespace

CATCH_TEST_CASE("a batch scales with the probe's share of the rows; a whole-dataset batch stays one batch",
                "[probe][schedule]") {
    TrainingProgram p = mnist_mlp("categorical_crossentropy", "adam", 0.001, 10);
    p.batch_size = lit(int64_t{128}); // 469 batches per epoch in the script
    ProbeResult r = run_probe(p, small_probe());
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.train_samples == 256);
    // Several batches per epoch (capped at max_steps / max_epochs), not the two a batch of 128 leaves of 256
    // rows.
    CATCH_CHECK(r.trace.batch_size == 16);
    CATCH_CHECK(r.trace.steps == 160);
    CATCH_CHECK(r.trace.simulated_epochs == 10);
    CATCH_CHECK(has_note_containing(r.trace, "batch size 128 scaled to 16"));

    // The script's three batches per epoch stay three.
    p.batch_size = lit(int64_t{20000});
    ProbeResult three = run_probe(p, small_probe());
    CATCH_REQUIRE(three.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(three.trace.batch_size == 86);
    CATCH_CHECK(three.trace.steps == 30);

    for (int64_t whole : {int64_t{60000}, int64_t{100000}}) {
        p.batch_size = lit(whole);
        ProbeResult one = run_probe(p, small_probe());
        CATCH_REQUIRE(one.trace.status == ProbeStatus::Ok);
        CATCH_CHECK(one.trace.batch_size == 256);
        CATCH_CHECK(one.trace.steps == 10); // one batch per epoch
    }

    // Fewer rows than the probe's cap: the script's batch is kept and nothing is noted.
    TrainingProgram tiny = mnist_mlp("categorical_crossentropy", "adam", 0.001, 2);
    tiny.data.num_samples = lit(int64_t{200});
    tiny.batch_size = lit(int64_t{50});
    ProbeResult kept = run_probe(tiny, small_probe());
    CATCH_REQUIRE(kept.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(kept.trace.batch_size == 50);
    CATCH_CHECK_FALSE(has_note_containing(kept.trace, "scaled to"));
}

CATCH_TEST_CASE("TF1 step counts become epochs of the probe", "[probe][schedule]") {
    TrainingProgram p = mnist_mlp("categorical_crossentropy", "sgd", 0.5);
    p.framework = Framework::TF1;
    p.epochs = {};
    p.steps = lit(int64_t{1000});
    p.batch_size = lit(int64_t{100});
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_REQUIRE(r.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(r.trace.steps == 600);
    CATCH_CHECK(r.trace.simulated_epochs == 30);
    CATCH_CHECK(r.trace.epoch_scale == Approx(1000.0 / 600.0));
}

CATCH_TEST_CASE("progress is reported once per simulated epoch", "[probe]") {
    std::vector<int64_t> epochs;
    ProbeResult r = run_probe(mnist_mlp(), ProbeOptions{}, nullptr,
                              [&](const faultline::ProbeProgress& p) { epochs.push_back(p.epoch); });
    CATCH_CHECK(epochs == std::vector<int64_t>{1, 2, 3, 4, 5});
}

CATCH_TEST_CASE("a cancelled probe returns promptly", "[probe][cancel]") {
    ProbeOptions big;
    big.max_steps = 1000000;
    big.max_epochs = 1000;
    big.budget_seconds = 60;
    std::atomic<bool> cancel{false};
    std::chrono::steady_clock::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancelled_at = std::chrono::steady_clock::now();
        cancel = true;
    });
    ProbeResult r = run_probe(mnist_mlp("categorical_crossentropy", "adam", 0.001, 1000), big, &cancel);
    auto returned = std::chrono::steady_clock::now();
    canceller.join();
    CATCH_CHECK(r.trace.status == ProbeStatus::Skipped);
    CATCH_CHECK(r.trace.reason == "cancelled");
    // Far less than the 60 s the probe would run uncancelled (the flag is read before every step); a
    // tighter bound would time the machine's load, not the probe.
    CATCH_CHECK(std::chrono::duration<double>(returned - cancelled_at).count() < 5.0);
}

CATCH_TEST_CASE("the time budget stops a long probe and says so", "[probe][budget]") {
    ProbeOptions tight;
    tight.budget_seconds = 0.3;
    tight.max_steps = 1000000;
    tight.max_epochs = 1000;
    auto start = std::chrono::steady_clock::now();
    ProbeResult r = run_probe(mnist_mlp("categorical_crossentropy", "adam", 0.001, 1000), tight);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CATCH_CHECK(r.trace.status == ProbeStatus::Ok);
    // Far below what 1000 epochs cost: the budget, not the epoch count, ended it. How close the stop comes to
    // the budget is measured in bench/probe_bench.cpp; a unit test on a loaded machine cannot time it.
    CATCH_CHECK(took < 20.0);
    CATCH_CHECK(r.trace.simulated_epochs < 1000);
    CATCH_CHECK(r.trace.series.at("train_loss").size() == static_cast<size_t>(r.trace.simulated_epochs));
    CATCH_REQUIRE_FALSE(r.trace.notes.empty());
    CATCH_CHECK(r.trace.notes.back().find("time budget") != std::string::npos);
}

CATCH_TEST_CASE("the memory guard refuses a giant model without allocating it", "[probe][memory]") {
    // 2 x 10^10 parameters: 80 GB of weights alone.
    TrainingProgram p = keras_program({dense(100000, "relu", {200000}), dense(10, "softmax")},
                                      "categorical_crossentropy", "adam", 0.001);
    p.data.labels = LabelFormat::OneHot;
    p.data.num_classes = lit(int64_t{10});
    long before = rss_kb();
    auto start = std::chrono::steady_clock::now();
    ProbeResult r = run_probe(p, ProbeOptions{});
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CATCH_CHECK(r.trace.status == ProbeStatus::Failed);
    CATCH_REQUIRE(r.build_findings.size() == 1);
    CATCH_CHECK(r.build_findings[0].code == "FL902");
    CATCH_CHECK(r.build_findings[0].range == p.model_span);
    CATCH_CHECK(took < 20.0); // refused up front, not after trying to allocate 80 GB
    CATCH_CHECK(rss_kb() - before < 50 * 1024);
}

CATCH_TEST_CASE("labels that do not fit the output layer become a finding at that layer", "[probe][shapes]") {
    TrainingProgram p = mnist_mlp();
    p.layers.back() = dense(1, "sigmoid", {}, 12);
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_CHECK(r.trace.status == ProbeStatus::Failed);
    CATCH_REQUIRE(r.build_findings.size() == 1);
    CATCH_CHECK(r.build_findings[0].fault == Fault::tensor_shape);
    CATCH_CHECK(r.build_findings[0].range.start.row == 12);

    // Integer labels with categorical_crossentropy: Keras refuses them.
    TrainingProgram q = mnist_mlp();
    q.data.labels = LabelFormat::Integer;
    ProbeResult rq = run_probe(q, ProbeOptions{});
    CATCH_CHECK(rq.trace.status == ProbeStatus::Failed);
    CATCH_REQUIRE(rq.build_findings.size() == 1);
    CATCH_CHECK(rq.build_findings[0].fault == Fault::loss);
}

CATCH_TEST_CASE("a layer shape error is a finding with the layer's span", "[probe][shapes]") {
    TrainingProgram p = mnist_mlp();
    p.layers.insert(p.layers.begin() + 1, conv2d(8, 3, "relu", {}, 15));
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_CHECK(r.trace.status == ProbeStatus::Failed);
    CATCH_REQUIRE(r.build_findings.size() == 1);
    CATCH_CHECK(r.build_findings[0].code == "FL901");
    CATCH_CHECK(r.build_findings[0].range.start.row == 15);
}

CATCH_TEST_CASE("errors LibTorch raises while training become findings, not crashes", "[probe][errors]") {
    // Token ids beyond the Embedding's vocabulary: torch's index_select fails.
    Layer emb = with_param(layer("Embedding"), "input_dim", 10);
    emb.units = lit(int64_t{4});
    TrainingProgram p = keras_program({emb, layer("Flatten"), dense(1, "sigmoid")}, "binary_crossentropy",
                                      "adam", 0.01, 2, 2);
    p.data.literal_x = {{1, 2, 50}, {3, 4, 60}};
    p.data.literal_y = {{0}, {1}};
    p.data.labels = LabelFormat::Binary;
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_CHECK(r.trace.status == ProbeStatus::Failed);
    CATCH_REQUIRE(r.build_findings.size() == 1);
    CATCH_CHECK(r.build_findings[0].code == "FL904");
    CATCH_CHECK_FALSE(r.trace.reason.empty());
    CATCH_CHECK(r.trace.reason.find('\n') == std::string::npos);
}

CATCH_TEST_CASE("what the probe cannot rebuild is skipped with a reason", "[probe]") {
    TrainingProgram p = mnist_mlp();
    p.optimizer.name = lit(std::string("ftrl"));
    ProbeResult r = run_probe(p, ProbeOptions{});
    CATCH_CHECK(r.trace.status == ProbeStatus::Skipped);
    CATCH_CHECK(r.trace.reason.find("ftrl") != std::string::npos);
    CATCH_CHECK(r.build_findings.empty());

    TrainingProgram empty;
    CATCH_CHECK(run_probe(empty, ProbeOptions{}).trace.status == ProbeStatus::Skipped);

    TrainingProgram odd = mnist_mlp();
    odd.layers.front().activation = lit(std::string("sparkle"));
    ProbeResult ro = run_probe(odd, ProbeOptions{});
    CATCH_CHECK(ro.trace.status == ProbeStatus::Skipped);
    CATCH_CHECK(ro.trace.reason.find("sparkle") != std::string::npos);
}

CATCH_TEST_CASE("kernel regularizers are part of the trained loss", "[probe][regularization]") {
    TrainingProgram plain = mnist_mlp();
    TrainingProgram heavy = mnist_mlp();
    heavy.layers.front().params["l2"] = lit(1.0);
    ProbeResult a = run_probe(plain, ProbeOptions{});
    ProbeResult b = run_probe(heavy, ProbeOptions{});
    CATCH_REQUIRE(b.trace.status == ProbeStatus::Ok);
    // The penalty is on the first kernel only (784 x 64 of the 50,890 weights).
    CATCH_CHECK(b.trace.final_value("weight_norm") < 0.7 * a.trace.final_value("weight_norm"));
    CATCH_CHECK(b.trace.final_value("train_loss") > a.trace.final_value("train_loss"));
}

CATCH_TEST_CASE("sigmoid with MSE learns, with smaller output gradients than with cross-entropy",
                "[probe][losses]") {
    auto make = [](const std::string& loss) {
        TrainingProgram p =
            keras_program({dense(16, "relu", {8}), dense(1, "sigmoid", {}, 3)}, loss, "adam", 0.01, 10, 32);
        p.data.labels = LabelFormat::Binary;
        p.data.num_samples = lit(int64_t{1000});
        return p;
    };
    ProbeResult mse = run_probe(make("mean_squared_error"), ProbeOptions{});
    ProbeResult bce = run_probe(make("binary_crossentropy"), ProbeOptions{});
    CATCH_REQUIRE(mse.trace.status == ProbeStatus::Ok);
    CATCH_REQUIRE(bce.trace.status == ProbeStatus::Ok);
    CATCH_CHECK(mse.trace.final_value("val_acc") > 0.8);
    CATCH_CHECK(mse.trace.final_value("train_loss") < 0.25); // below the 0.25 of a constant 0.5 output
    // d(MSE)/dz carries sigmoid'(z) <= 1/4 that cross-entropy cancels.
    CATCH_CHECK(mse.trace.series.at("grad_norm_last").front() <
                bce.trace.series.at("grad_norm_last").front());
}
