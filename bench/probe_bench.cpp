// Probe timings for docs/probe.md: every real development script (parsed, then probed with the default
// options), and typical programs built by hand, each with and without the instruments.
//
//   probe_bench [REAL_DIR] [--repeat N]
//   probe_bench --calibrate        measured seconds per step against the schedule's cost model
//   probe_bench --dump SCRIPT      what the probe saw in one script and its trace (JSON)
//
// Run with OPENBLAS_NUM_THREADS=1. Prints one line per script and per program, then summaries.
#include "faultline/engine/probe.h"
#include "faultline/parser/parse.h"
#include "probe/shapes.h"

#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace faultline;

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double max_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
}

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

template <class T> Value<T> lit(T v) {
    Value<T> out;
    out.value = v;
    out.kind = OriginKind::Literal;
    return out;
}

Layer make(const std::string& kind, int64_t units = 0, const std::string& act = "") {
    Layer l;
    l.kind = kind;
    if (units) l.units = lit(units);
    if (!act.empty()) l.activation = lit(act);
    return l;
}

TrainingProgram keras(std::vector<Layer> layers, const std::string& loss, const std::string& opt,
                      int64_t epochs, int64_t batch) {
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers = std::move(layers);
    p.loss.name = lit(loss);
    p.optimizer.name = lit(opt);
    p.epochs = lit(epochs);
    p.batch_size = lit(batch);
    p.data.labels = LabelFormat::OneHot;
    p.data.num_classes = lit(int64_t{10});
    p.data.scaled = lit(true);
    return p;
}

// Keras' examples/mnist_mlp.py: 784-512-512-10 with dropout, RMSprop, batch 128, 20 epochs.
TrainingProgram mnist_mlp() {
    Layer d1 = make("Dense", 512, "relu");
    d1.input_shape = {784};
    Layer drop = make("Dropout");
    drop.params["rate"] = lit(0.2);
    TrainingProgram p = keras({d1, drop, make("Dense", 512, "relu"), drop, make("Dense", 10, "softmax")},
                              "categorical_crossentropy", "rmsprop", 20, 128);
    p.data.source = lit(std::string("mnist"));
    p.data.is_image = true;
    return p;
}

// A LeNet-sized CNN (the small CNNs of the real scripts): conv 6@5x5, pool, conv 16@5x5, pool, 120, 84, 10.
TrainingProgram small_cnn() {
    auto conv = [](int64_t filters, std::vector<int64_t> shape) {
        Layer c = make("Conv2D", filters, "relu");
        c.params["kernel_size"] = lit(5.0);
        c.padding = "valid";
        c.input_shape = std::move(shape);
        return c;
    };
    TrainingProgram p = keras({conv(6, {28, 28, 1}), make("MaxPooling2D"), conv(16, {}), make("MaxPooling2D"),
                               make("Flatten"), make("Dense", 120, "relu"), make("Dense", 84, "relu"),
                               make("Dense", 10, "softmax")},
                              "categorical_crossentropy", "adam", 10, 128);
    p.data.source = lit(std::string("mnist"));
    p.data.is_image = true;
    return p;
}

// Keras' examples/imdb_lstm.py: Embedding(20000, 128), LSTM(128), Dense(1, sigmoid), batch 32, 15 epochs,
// sequences cut to 80 tokens.
TrainingProgram imdb_lstm() {
    Layer emb = make("Embedding", 128);
    emb.params["input_dim"] = lit(20000.0);
    emb.input_shape = {80};
    Layer lstm = make("LSTM", 128);
    TrainingProgram p =
        keras({emb, lstm, make("Dense", 1, "sigmoid")}, "binary_crossentropy", "adam", 15, 32);
    p.data.source = lit(std::string("imdb"));
    p.data.labels = LabelFormat::Binary;
    p.data.num_classes = {};
    return p;
}

void real_scripts(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        for (const char* name : {"buggy.py", "fixed.py"})
            if (std::filesystem::exists(entry.path() / name)) files.push_back(entry.path() / name);
    std::sort(files.begin(), files.end());
    std::vector<double> all, ok;
    int counts[3] = {0, 0, 0};
    std::printf("%-34s %-8s %7s %6s %6s %8s  %s\n", "script", "status", "seconds", "epochs", "steps",
                "val_acc", "reason / data");
    for (const auto& f : files) {
        TrainingProgram program = parse_program(read_file(f));
        ProbeResult r = run_probe(program, ProbeOptions{});
        const Trace& t = r.trace;
        all.push_back(t.seconds);
        if (t.status == ProbeStatus::Ok) ok.push_back(t.seconds);
        ++counts[static_cast<int>(t.status)];
        std::string label = f.parent_path().filename().string() + "/" + f.filename().string();
        std::printf("%-34s %-8s %7.3f %6lld %6lld %8.3f  %s\n", label.c_str(), to_string(t.status), t.seconds,
                    static_cast<long long>(t.simulated_epochs), static_cast<long long>(t.steps),
                    t.final_value("val_acc"),
                    t.status == ProbeStatus::Ok ? t.data_description.c_str() : t.reason.c_str());
    }
    std::printf("\nreal scripts: %zu probed: %d ok, %d skipped, %d failed\n", files.size(), counts[0],
                counts[1], counts[2]);
    std::printf("seconds (all): median %.3f max %.3f; (ok only): median %.3f max %.3f\n", median(all),
                max_of(all), median(ok), max_of(ok));
}

void typical(int repeat) {
    struct Named {
        const char* name;
        TrainingProgram program;
    };
    std::vector<Named> programs{{"mnist_mlp 784-512-512-10", mnist_mlp()},
                                {"lenet cnn 28x28x1", small_cnn()},
                                {"imdb lstm 128", imdb_lstm()}};
    std::printf("\n%-26s %9s %9s %9s %9s %9s %6s %8s\n", "program", "med s", "max s", "bare med", "bare max",
                "overhead", "steps", "val_acc");
    for (auto& [name, program] : programs) {
        std::vector<double> with, without;
        ProbeResult last;
        for (int i = 0; i < repeat; ++i) {
            last = run_probe(program, ProbeOptions{});
            with.push_back(last.trace.seconds);
            ProbeOptions bare;
            bare.instruments = false;
            // The same steps: the instrumented run may have been cut by the time budget.
            bare.max_steps = last.trace.steps;
            bare.budget_seconds = 1e9;
            without.push_back(run_probe(program, bare).trace.seconds);
        }
        double overhead = median(with) / median(without) - 1.0;
        std::printf("%-26s %9.3f %9.3f %9.3f %9.3f %8.1f%% %6lld %8.3f   %s\n", name, median(with),
                    max_of(with), median(without), max_of(without), 100.0 * overhead,
                    static_cast<long long>(last.trace.steps), last.trace.final_value("val_acc"),
                    last.trace.status == ProbeStatus::Ok ? "" : last.trace.reason.c_str());
    }
}

// Measured seconds per training step (the difference between runs of 2N and N steps, so building and data
// cancel out) against the cost model that bounds the schedule.
void calibrate() {
    struct Named {
        const char* name;
        TrainingProgram program;
    };
    TrainingProgram wide = mnist_mlp();
    wide.layers = {make("Dense", 5000, "relu"), make("Dense", 600, "relu"), make("Dense", 10, "softmax")};
    wide.layers[0].input_shape = {784};
    wide.batch_size = lit(int64_t{2000});
    TrainingProgram tiny = mnist_mlp();
    tiny.layers = {make("Dense", 16, "relu"), make("Dense", 10, "softmax")};
    tiny.layers[0].input_shape = {20};
    tiny.batch_size = lit(int64_t{16});
    TrainingProgram cifar = small_cnn();
    cifar.layers[0].input_shape = {32, 32, 3};
    cifar.layers[0].units = lit(int64_t{64});
    cifar.layers[2].units = lit(int64_t{128});
    cifar.batch_size = lit(int64_t{32});
    std::vector<Named> programs{
        {"mnist_mlp", mnist_mlp()}, {"lenet", small_cnn()}, {"imdb_lstm", imdb_lstm()},
        {"wide 5000", wide},        {"tiny", tiny},         {"cifar cnn 64/128", cifar}};
    std::printf("\n%-18s %12s %12s %8s\n", "program", "measured ms", "model ms", "ratio");
    for (auto& [name, program] : programs) {
        auto plan = probe::plan_network(program);
        double model = probe::estimate_step_seconds(plan, program.batch_size.value_or(32));
        auto run = [&](int64_t steps) {
            ProbeOptions o;
            o.instruments = false;
            o.max_steps = steps;
            o.max_epochs = 1000;
            o.budget_seconds = 1e9;
            program.epochs = lit(int64_t{1000});
            return run_probe(program, o).trace;
        };
        int64_t n = std::max<int64_t>(2, static_cast<int64_t>(0.5 / std::max(model, 1e-4)));
        Trace a = run(n), b = run(2 * n);
        double per_step = (b.seconds - a.seconds) / static_cast<double>(b.steps - a.steps);
        std::printf("%-18s %12.3f %12.3f %8.2f\n", name, 1e3 * per_step, 1e3 * model, model / per_step);
    }
}

void dump(const std::filesystem::path& file) {
    TrainingProgram p = parse_program(read_file(file));
    std::printf("framework %s, loss %s%s, optimizer %s lr %g, epochs %lld, steps %lld, batch %lld\n",
                to_string(p.framework), p.loss.name.value_or("?").c_str(),
                p.loss.from_logits ? " (logits)" : "", p.optimizer.name.value_or("?").c_str(),
                p.optimizer.lr.value_or(-1.0), static_cast<long long>(p.epochs.value_or(-1)),
                static_cast<long long>(p.steps.value_or(-1)),
                static_cast<long long>(p.batch_size.value_or(-1)));
    std::printf(
        "data %s, labels %s, classes %lld, input %s, scaled %d\n", p.data.source.value_or("?").c_str(),
        to_string(p.data.labels), static_cast<long long>(p.data.num_classes.value_or(-1)),
        probe::shape_text(p.data.input_shape).c_str(), p.data.scaled.known() ? int(*p.data.scaled) : -1);
    for (const Layer& l : p.layers)
        std::printf("  %s units %lld activation %s input %s\n", l.kind.c_str(),
                    static_cast<long long>(l.units.value_or(-1)), l.activation.value_or("-").c_str(),
                    probe::shape_text(l.input_shape).c_str());
    ProbeResult r = run_probe(p, ProbeOptions{});
    std::printf("%s\n", nlohmann::json(r.trace).dump(1).c_str());
    for (const Finding& f : r.build_findings)
        std::printf("finding %s: %s\n", f.code.c_str(), f.message.c_str());
}

} // namespace

int main(int argc, char** argv) {
    std::filesystem::path real = "/work/shared/benchmarks/real";
    int repeat = 5;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--repeat" && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--dump" && i + 1 < argc) {
            dump(argv[++i]);
            return 0;
        } else if (a == "--calibrate") {
            calibrate();
            return 0;
        } else
            real = a;
    }
    if (std::filesystem::is_directory(real))
        real_scripts(real);
    else
        std::printf("no real scripts at %s\n", real.c_str());
    typical(repeat);
    std::printf("\npeak RSS: %.0f MB\n", peak_rss_mb());
    return 0;
}
