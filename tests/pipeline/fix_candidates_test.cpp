// Candidate fixes as text edits: each is the minimal change of the literal or argument that sets the value,
// keeps the script's style, and re-parses to a program where the value changed. No probe here.
#include "faultline/engine/fixes.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace faultline;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(FAULTLINE_FIXTURES) + "/fixes/" + name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

const Fix* find_fix(const std::vector<Fix>& fixes, const std::string& title) {
    for (const auto& f : fixes)
        if (f.title == title) return &f;
    return nullptr;
}

std::string titles(const std::vector<Fix>& fixes) {
    std::string s;
    for (const auto& f : fixes)
        s += "[" + f.title + "] ";
    return s;
}

// The edited text, checked to differ from the original only inside the fix's edits.
std::string applied(const std::string& text, const Fix& fix) {
    return apply_replacements(text, fix.edits);
}

// Replaces the single occurrence of `from` in `text` with `to` (the expected result of a fix).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    return text.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("lr candidate rewrites the literal at the name's assignment", "[fixes]") {
    std::string text = fixture("lr_too_high.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::lr, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Use learning rate 0.01");
    REQUIRE(fix);
    CHECK(applied(text, *fix) == replaced(text, "lr = 1.5\n", "lr = 0.01\n"));
    CHECK(*parse_program(applied(text, *fix)).optimizer.lr == Approx(0.01));
}

TEST_CASE("lr candidate inserts the argument when the optimizer takes the default", "[fixes]") {
    std::string text = fixture("no_output_activation.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::lr, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Use learning rate 0.1");
    REQUIRE(fix);
    CHECK(applied(text, *fix) == replaced(text, "SGD(momentum=0.9)", "SGD(momentum=0.9, lr=0.1)"));
}

TEST_CASE("activation candidate replaces a one-unit softmax with sigmoid", "[fixes]") {
    std::string text = fixture("softmax_one_unit.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::act, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Use the 'sigmoid' activation");
    REQUIRE(fix);
    CHECK(applied(text, *fix) ==
          replaced(text, "Dense(1, activation='softmax')", "Dense(1, activation='sigmoid')"));
}

TEST_CASE("activation candidate changes the argument of an Activation layer", "[fixes]") {
    std::string text = fixture("activation_layer.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::act, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Use the 'sigmoid' activation");
    REQUIRE(fix);
    CHECK(applied(text, *fix) ==
          replaced(text, "model.add(Activation('softmax'))", "model.add(Activation('sigmoid'))"));
}

TEST_CASE("activation candidate inserts an activation into a last layer without one", "[fixes]") {
    std::string text = fixture("no_output_activation.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::act, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Add activation='softmax' to the output layer");
    REQUIRE(fix);
    CHECK(applied(text, *fix) == replaced(text, "Dense(10))", "Dense(10, activation='softmax'))"));
}

TEST_CASE("loss candidate fits the labels and keeps double quotes", "[fixes]") {
    std::string text = fixture("mse_softmax.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::loss, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Use loss=\"categorical_crossentropy\"");
    REQUIRE(fix);
    CHECK(applied(text, *fix) == replaced(text, "loss=\"mse\"", "loss=\"categorical_crossentropy\""));
}

TEST_CASE("edits keep quote style, keyword spelling and surrounding whitespace", "[fixes]") {
    std::string text = fixture("formatting.py");
    TrainingProgram program = parse_program(text);

    auto act = candidate_fixes(Fault::act, program, text);
    INFO(titles(act));
    const Fix* softmax = find_fix(act, "Use the 'softmax' activation");
    REQUIRE(softmax);
    CHECK(applied(text, *softmax) == replaced(text, "activation = \"sigmoid\"),  # the output layer",
                                              "activation = \"softmax\"),  # the output layer"));

    auto loss = candidate_fixes(Fault::loss, program, text);
    INFO(titles(loss));
    const Fix* cce = find_fix(loss, "Use loss=\"categorical_crossentropy\"");
    REQUIRE(cce);
    CHECK(applied(text, *cce) ==
          replaced(text, "loss = \"mean_squared_error\",", "loss = \"categorical_crossentropy\","));

    auto lr = candidate_fixes(Fault::lr, program, text);
    INFO(titles(lr));
    // The script writes the rate in scientific notation with the learning_rate keyword; so does the fix.
    const Fix* small = find_fix(lr, "Use learning rate 1e-2");
    REQUIRE(small);
    CHECK(applied(text, *small) == replaced(text, "learning_rate = 3.0e-0", "learning_rate = 1e-2"));
}

TEST_CASE("optimizer candidates: qualified class renamed, SGD gets momentum", "[fixes]") {
    std::string text = fixture("sigmoid_hidden_sgd.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::opt, program, text);
    INFO(titles(fixes));
    const Fix* adam = find_fix(fixes, "Use Adam");
    REQUIRE(adam);
    CHECK(applied(text, *adam) == replaced(text, "optimizers.SGD(lr=0.01)", "optimizers.Adam(lr=0.01)"));
    const Fix* momentum = find_fix(fixes, "Use SGD with momentum 0.9");
    REQUIRE(momentum);
    CHECK(applied(text, *momentum) ==
          replaced(text, "optimizers.SGD(lr=0.01)", "optimizers.SGD(lr=0.01, momentum=0.9)"));
}

TEST_CASE("string optimizers are replaced by another string", "[fixes]") {
    std::string text = fixture("one_epoch.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::opt, program, text);
    INFO(titles(fixes));
    const Fix* adam = find_fix(fixes, "Use optimizer='adam'");
    REQUIRE(adam);
    CHECK(applied(text, *adam) == replaced(text, "optimizer='sgd'", "optimizer='adam'"));
}

TEST_CASE("hidden activations are switched to relu together", "[fixes]") {
    std::string text = fixture("sigmoid_hidden_sgd.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::act, program, text);
    INFO(titles(fixes));
    const Fix* relu = find_fix(fixes, "Use relu in the hidden layers");
    REQUIRE(relu);
    CHECK(relu->edits.size() == 4);
    std::string edited = applied(text, *relu);
    CHECK(edited.find("activation='sigmoid'") == std::string::npos);
    CHECK(edited.find("Dense(4, activation='softmax')") != std::string::npos);
}

TEST_CASE("every saturating or linear hidden activation is switched, not only sigmoid and tanh", "[fixes]") {
    std::string text = fixture("sigmoid_hidden_sgd.py");
    for (const char* act : {"softsign", "hard_sigmoid", "linear"}) {
        std::string edited_text = text;
        for (size_t pos; (pos = edited_text.find("'sigmoid'")) != std::string::npos;)
            edited_text.replace(pos, 9, std::string("'") + act + "'");
        TrainingProgram program = parse_program(edited_text);
        auto fixes = candidate_fixes(Fault::act, program, edited_text);
        INFO(act << ": " << titles(fixes));
        const Fix* relu = find_fix(fixes, "Use relu in the hidden layers");
        REQUIRE(relu);
        CHECK(relu->edits.size() == 4);
        CHECK(applied(edited_text, *relu).find(std::string("'") + act + "'") == std::string::npos);
    }
}

TEST_CASE("epoch candidates multiply a too-small count", "[fixes]") {
    std::string text = fixture("one_epoch.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::epoch, program, text);
    INFO(titles(fixes));
    const Fix* ten = find_fix(fixes, "Use epochs 10");
    REQUIRE(ten);
    CHECK(applied(text, *ten) == replaced(text, "epochs=1,", "epochs=10,"));
    CHECK(find_fix(fixes, "Use epochs 30"));
}

TEST_CASE("batch size candidates insert the argument when fit takes the default", "[fixes]") {
    std::string text = fixture("no_output_activation.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::batch_size, program, text);
    INFO(titles(fixes));
    const Fix* big = find_fix(fixes, "Use batch size 128");
    REQUIRE(big);
    CHECK(applied(text, *big) ==
          replaced(text, "validation_split=0.2)", "validation_split=0.2, batch_size=128)"));
}

TEST_CASE("input scaling is inserted before fit, for the names fit uses", "[fixes]") {
    std::string text = fixture("unscaled_pixels.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::data_preprocessing, program, text);
    INFO(titles(fixes));
    REQUIRE(fixes.size() == 1);
    CHECK(applied(text, fixes[0]) ==
          replaced(text, "model.fit(", "x_train = x_train / 255.0\nx_test = x_test / 255.0\nmodel.fit("));
    TrainingProgram edited = parse_program(applied(text, fixes[0]));
    CHECK(edited.data.scaled.value_or(false));
}

TEST_CASE("written initializers are replaced in every layer at once", "[fixes]") {
    std::string text = fixture("zeros_init.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::weight_init, program, text);
    INFO(titles(fixes));
    const Fix* he = find_fix(fixes, "Use the he_normal initializer");
    REQUIRE(he);
    CHECK(he->edits.size() == 3);
    CHECK(applied(text, *he).find("'zeros'") == std::string::npos);
}

TEST_CASE("every candidate re-parses cleanly and changes the program", "[fixes]") {
    const char* files[] = {
        "lr_too_high.py",        "softmax_one_unit.py",     "mse_softmax.py",      "one_epoch.py",
        "sigmoid_hidden_sgd.py", "unscaled_pixels.py",      "zeros_init.py",       "healthy.py",
        "formatting.py",         "no_output_activation.py", "activation_layer.py", "torch_double_softmax.py",
        "two_faults.py"};
    const Fault faults[] = {Fault::loss,
                            Fault::act,
                            Fault::lr,
                            Fault::opt,
                            Fault::epoch,
                            Fault::batch_size,
                            Fault::data_preprocessing,
                            Fault::weight_init};
    size_t total = 0;
    for (const char* file : files) {
        std::string text = fixture(file);
        TrainingProgram program = parse_program(text);
        REQUIRE_FALSE(program.has_syntax_errors);
        for (Fault fault : faults) {
            for (const auto& fix : candidate_fixes(fault, program, text)) {
                INFO(file << ": " << fix.title);
                std::string edited = applied(text, fix);
                CHECK(edited != text);
                CHECK_FALSE(parse_program(edited).has_syntax_errors);
                CHECK_FALSE(fix.validated);
                ++total;
            }
        }
    }
    CHECK(total >= 20);
}

TEST_CASE("programs without a model or script text give no candidates and do not crash", "[fixes]") {
    for (std::string text : {std::string(), std::string("import numpy as np\nx = (\n"),
                             std::string("model.compile(loss=)\nmodel.fit(x, y, epochs=)\n")}) {
        TrainingProgram program = parse_program(text);
        for (Fault fault : {Fault::loss, Fault::act, Fault::lr, Fault::opt, Fault::epoch, Fault::batch_size,
                            Fault::data_preprocessing, Fault::weight_init, Fault::layer})
            for (const auto& fix : candidate_fixes(fault, program, text))
                CHECK_FALSE(parse_program(applied(text, fix)).has_syntax_errors);
    }
}

TEST_CASE("PyTorch: a softmax before CrossEntropyLoss is removed, keeping its input", "[fixes]") {
    std::string text = fixture("torch_double_softmax.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::act, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Remove F.softmax (the loss takes raw scores)");
    REQUIRE(fix);
    CHECK(applied(text, *fix) ==
          replaced(text, "return F.softmax(self.fc2(x), dim=1)", "return self.fc2(x)"));
}

TEST_CASE("PyTorch: optimizer class switched inside torch.optim, parameters kept", "[fixes]") {
    std::string text = fixture("torch_double_softmax.py");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::opt, program, text);
    INFO(titles(fixes));
    const Fix* adam = find_fix(fixes, "Use Adam");
    REQUIRE(adam);
    // 0.05 is far above what Adam works with: the switch brings its default rate along.
    CHECK(applied(text, *adam) == replaced(text, "torch.optim.SGD(model.parameters(), lr=0.05)",
                                           "torch.optim.Adam(model.parameters(), lr=0.001)"));
    const Fix* momentum = find_fix(fixes, "Use SGD with momentum 0.9");
    REQUIRE(momentum);
    CHECK(applied(text, *momentum) == replaced(text, "torch.optim.SGD(model.parameters(), lr=0.05)",
                                               "torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)"));
}

TEST_CASE("PyTorch: a loss class is renamed inside nn", "[fixes]") {
    std::string text = replaced(fixture("torch_double_softmax.py"), "nn.CrossEntropyLoss()", "nn.MSELoss()");
    TrainingProgram program = parse_program(text);
    auto fixes = candidate_fixes(Fault::loss, program, text);
    INFO(titles(fixes));
    const Fix* fix = find_fix(fixes, "Use CrossEntropyLoss()");
    REQUIRE(fix);
    CHECK(applied(text, *fix) == replaced(text, "nn.MSELoss()", "nn.CrossEntropyLoss()"));
}
