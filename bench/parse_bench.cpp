// Parser timings: parse + extract of typical scripts, of a 5,000-line script, and an incremental re-parse
// after a one-character edit. Medians over repetitions (run with --benchmark_repetitions to change their
// number).
#include "faultline/parser/parse.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

using namespace faultline;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(FAULTLINE_FIXTURES) + "/parser/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A long script in the style of generated experiment code: many preprocessing steps, helpers and layers.
std::string long_script(int lines) {
    std::string s =
        "import numpy as np\nfrom keras.models import Sequential\nfrom keras.layers import Dense, "
        "Dropout, Activation\nfrom keras.optimizers import SGD\nfrom keras.datasets import mnist\n"
        "(x_train, y_train), (x_test, y_test) = mnist.load_data()\nx_train = x_train.reshape(60000, "
        "784)\nmodel = Sequential()\nmodel.add(Dense(64, input_dim=784))\n";
    int block = 0;
    while (static_cast<int>(std::count(s.begin(), s.end(), '\n')) < lines - 4) {
        std::string b = std::to_string(block++);
        s += "units_" + b + " = " + std::to_string(16 + block % 48) + "\n";
        s += "rate_" + b + " = 0.1 * (" + b + " % 5)\n";
        s += "def helper_" + b + "(v, k=2):\n    w = v * k + " + b + "\n    return w / 2\n";
        s += "scale_" + b + " = helper_" + b + "(units_" + b + ")\n";
        s += "if scale_" + b + " > 10:\n    print('block', " + b + ", scale_" + b + ")\n";
        s += "model.add(Dense(units_" + b + ", activation='relu'))\n";
        s += "model.add(Dropout(rate_" + b + "))\n";
        s += "x_train = x_train.astype('float32')\n";
    }
    s += "model.add(Dense(10, activation='softmax'))\n";
    s += "model.compile(loss='categorical_crossentropy', optimizer=SGD(lr=0.01), metrics=['accuracy'])\n";
    s += "model.fit(x_train, y_train, epochs=5, batch_size=32)\n";
    return s;
}

void parse_extract(benchmark::State& state, const std::string& text) {
    for (auto _ : state) {
        TrainingProgram p = parse_program(text);
        benchmark::DoNotOptimize(p.layers.data());
    }
    state.counters["bytes"] = static_cast<double>(text.size());
}

void BM_Typical_KerasMnist(benchmark::State& state) {
    parse_extract(state, fixture("keras_mnist_sequential.py"));
}
void BM_Typical_KerasOld(benchmark::State& state) {
    parse_extract(state, fixture("keras_old_spellings.py"));
}
void BM_Typical_TorchModule(benchmark::State& state) {
    parse_extract(state, fixture("torch_mnist_module.py"));
}
void BM_Typical_Tf1Helpers(benchmark::State& state) {
    parse_extract(state, fixture("tf1_helpers.py"));
}

void BM_Long5000(benchmark::State& state) {
    std::string text = long_script(5000);
    state.counters["lines"] = static_cast<double>(std::count(text.begin(), text.end(), '\n'));
    parse_extract(state, text);
}

void BM_ParseOnly_Long5000(benchmark::State& state) {
    std::string text = long_script(5000);
    for (auto _ : state) {
        Document doc(text);
        benchmark::DoNotOptimize(doc.has_syntax_errors());
    }
}

// One character typed into the learning rate and deleted again: re-parse only, then re-parse + extract.
void incremental(benchmark::State& state, const std::string& text, bool extract) {
    Document doc(text);
    uint32_t at = static_cast<uint32_t>(text.find("lr=") + 3);
    bool inserted = false;
    for (auto _ : state) {
        if (inserted)
            doc.apply({at, at + 1, ""});
        else
            doc.apply({at, at, "9"});
        inserted = !inserted;
        if (extract) {
            TrainingProgram p = doc.extract();
            benchmark::DoNotOptimize(p.layers.data());
        }
    }
}

void BM_IncrementalEdit_Typical(benchmark::State& state) {
    incremental(state, fixture("keras_old_spellings.py"), false);
}
void BM_IncrementalEdit_Long5000(benchmark::State& state) {
    incremental(state, long_script(5000), false);
}
void BM_IncrementalEditExtract_Typical(benchmark::State& state) {
    incremental(state, fixture("keras_old_spellings.py"), true);
}

} // namespace

#define FAULTLINE_BENCH(fn)                                                                                  \
    BENCHMARK(fn)->Unit(benchmark::kMicrosecond)->Repetitions(9)->ReportAggregatesOnly(true)
FAULTLINE_BENCH(BM_Typical_KerasMnist);
FAULTLINE_BENCH(BM_Typical_KerasOld);
FAULTLINE_BENCH(BM_Typical_TorchModule);
FAULTLINE_BENCH(BM_Typical_Tf1Helpers);
FAULTLINE_BENCH(BM_Long5000);
FAULTLINE_BENCH(BM_ParseOnly_Long5000);
FAULTLINE_BENCH(BM_IncrementalEdit_Typical);
FAULTLINE_BENCH(BM_IncrementalEdit_Long5000);
FAULTLINE_BENCH(BM_IncrementalEditExtract_Typical);

BENCHMARK_MAIN();
