// locate() on programs read by the parser from the rule fixtures: the spans are the script's own.
#include "faultline/engine/localize.h"
#include "faultline/parser/parse.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

using namespace faultline;

namespace {

struct Parsed {
    std::string text;
    TrainingProgram program;
    explicit Parsed(const std::string& name) {
        std::ifstream in(std::string(FAULTLINE_FIXTURES) + "/rules/" + name);
        REQUIRE(in);
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
        program = parse_program(text);
    }
    std::string at(const Span& s) const { return text.substr(s.start_byte, s.end_byte - s.start_byte); }
    Location where(Fault f) const {
        auto loc = locate(f, program);
        REQUIRE(loc);
        return *loc;
    }
};

} // namespace

TEST_CASE("locate on a parsed Keras script: lr through a name, loss, epochs, batch") {
    Parsed p("fl131_lr_too_high.py");
    Location lr = p.where(Fault::lr);
    CHECK(lr.range.start.row == 8); // `lr = 5.0`
    bool optimizer_related = false;
    for (const auto& r : lr.related)
        optimizer_related = optimizer_related || p.at(r).find("SGD(") == 0;
    CHECK(optimizer_related);
    CHECK(p.at(p.where(Fault::loss).range) == "'mse'");
    CHECK(p.at(p.where(Fault::epoch).range) == "500");
    CHECK(p.at(p.where(Fault::batch_size).range) == "32");
    CHECK(p.at(p.where(Fault::opt).range).find("SGD") == 0);
}

TEST_CASE("locate act on a parsed PyTorch module: the forward call, with the constructor related") {
    Parsed p("fl107_torch_nll_without_log_softmax.py");
    Location act = p.where(Fault::act);
    CHECK(p.at(act.range) == "self.out(x)");
    bool constructor = false;
    for (const auto& r : act.related)
        constructor = constructor || p.at(r).find("nn.Linear(64, 4)") != std::string::npos;
    CHECK(constructor);
}

TEST_CASE("locate data_preprocessing on unscaled CIFAR-10: the load statement") {
    Parsed p("fl151_unscaled_images.py");
    CHECK(p.where(Fault::data_preprocessing).range.start.row == 5);
}
