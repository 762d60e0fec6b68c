// FL151's quick fix on real scripts, through the parser: a statement dividing the inputs by 255 right after
// the one that binds the name training reads; applied, it leaves a script FL151 no longer flags. Each
// tests/fixtures/scaling/NAME.py with a NAME.fixed.py must get exactly that fix; the others must not be
// flagged.
#include "faultline/engine/rules.h"
#include "faultline/parser/parse.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace faultline;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const Finding* unscaled_input(const std::vector<Finding>& findings) {
    auto it =
        std::find_if(findings.begin(), findings.end(), [](const Finding& f) { return f.code == "FL151"; });
    return it == findings.end() ? nullptr : &*it;
}

// The edits applied back to front, so earlier offsets stay valid.
std::string apply(std::string text, std::vector<Replacement> edits) {
    std::sort(edits.begin(), edits.end(), [](const Replacement& a, const Replacement& b) {
        return a.range.start_byte > b.range.start_byte;
    });
    for (const auto& e : edits)
        text.replace(e.range.start_byte, e.range.end_byte - e.range.start_byte, e.new_text);
    return text;
}

} // namespace

TEST_CASE("FL151 offers the division by 255 as a quick fix, after the statement binding the inputs") {
    const fs::path dir = fs::path(FAULTLINE_FIXTURES) / "scaling";
    size_t fixed_scripts = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const fs::path script = entry.path();
        if (script.extension() != ".py" || script.stem().extension() == ".fixed") continue;
        const fs::path expected = dir / (script.stem().string() + ".fixed.py");
        INFO(script.filename());
        const std::string text = read(script);
        const auto findings = run_static_checks(parse_program(text));
        if (!fs::exists(expected)) {
            CHECK(unscaled_input(findings) == nullptr);
            continue;
        }
        ++fixed_scripts;
        const Finding* f = unscaled_input(findings);
        REQUIRE(f != nullptr);
        REQUIRE(f->fixes.size() == 1);
        const Fix& fix = f->fixes.front();
        CHECK(fix.title.find("/ 255.0") != std::string::npos);
        CHECK(fix.preferred); // no separate validation data that the fix would leave unscaled
        const std::string fixed = apply(text, fix.edits);
        CHECK(fixed == read(expected));
        CHECK(unscaled_input(run_static_checks(parse_program(fixed))) == nullptr);
    }
    CHECK(fixed_scripts >= 3); // Keras, tf.keras and PyTorch
}

TEST_CASE("FL151's fix is not preferred when validation data of another name would stay unscaled") {
    const std::string text = read(fs::path(FAULTLINE_FIXTURES) / "scaling" / "keras_mnist_load.py");
    std::string with_validation = text;
    const std::string split = "validation_split=0.1";
    with_validation.replace(with_validation.find(split), split.size(), "validation_data=(x_test, y_test)");
    const auto findings = run_static_checks(parse_program(with_validation));
    const Finding* f = unscaled_input(findings);
    REQUIRE(f != nullptr);
    REQUIRE(f->fixes.size() == 1);
    CHECK_FALSE(f->fixes.front().preferred);
}

TEST_CASE("In a PyTorch script the standardization reduces over rows with mean(0) and std(0)") {
    // Unscaled CSV features (FL154) trained by a hand-written PyTorch loop: the fix must be valid for a
    // tensor as well as a NumPy array, so it avoids NumPy's `axis=` keyword.
    const std::string text = "import numpy as np\n"
                             "import torch\n"
                             "import torch.nn as nn\n"
                             "data = np.loadtxt('houses.csv', delimiter=',')\n"
                             "X = torch.tensor(data[:, :8], dtype=torch.float32)\n"
                             "y = torch.tensor(data[:, 8:], dtype=torch.float32)\n"
                             "model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))\n"
                             "optimizer = torch.optim.Adam(model.parameters(), lr=0.001)\n"
                             "loss_fn = nn.MSELoss()\n"
                             "for epoch in range(100):\n"
                             "    optimizer.zero_grad()\n"
                             "    loss = loss_fn(model(X), y)\n"
                             "    loss.backward()\n"
                             "    optimizer.step()\n";
    const auto findings = run_static_checks(parse_program(text));
    auto it = std::find_if(findings.begin(), findings.end(),
                           [](const Finding& f) { return f.code == "FL154" || f.code == "FL151"; });
    REQUIRE(it != findings.end());
    REQUIRE(it->fixes.size() == 1);
    const std::string fixed = apply(text, it->fixes.front().edits);
    CHECK(fixed.find("X = torch.tensor(data[:, :8], dtype=torch.float32)\n"
                     "X = (X - X.mean(0)) / (X.std(0) + 1e-8)\n") != std::string::npos);
}
