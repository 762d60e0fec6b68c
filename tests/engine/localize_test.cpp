#include "faultline/engine/localize.h"
#include "program_builder.h"

using namespace fltest;

TEST_CASE("locate: each fault type points at the statement that sets it") {
    fltest::KerasMnist m;
    auto at = [&](Fault f) {
        auto loc = locate(f, m.p);
        REQUIRE(loc);
        return std::string(m.s.at(loc->range));
    };
    CHECK(at(Fault::loss) == "\"categorical_crossentropy\"");
    CHECK(at(Fault::opt) == "'adam'");
    CHECK(at(Fault::lr) == "'adam'"); // the default: the optimizer that takes it
    CHECK(at(Fault::act) == "'softmax'");
    CHECK(at(Fault::epoch) == "5");
    CHECK(at(Fault::batch_size) == "32");
    CHECK(at(Fault::data_preprocessing) == "x_train = x_train.reshape(60000, 784) / 255.0");
    CHECK(at(Fault::weight_init) == "Dense(128, activation='relu', input_shape=(784,))");
    CHECK(at(Fault::layer) == "Sequential()");
    CHECK(at(Fault::tensor_shape) == "Sequential()");
}

TEST_CASE("locate lr: the origin with use sites related") {
    Script s("lr = 0.1\nsgd = SGD(lr=lr)\nmodel.compile(optimizer=sgd)\n");
    TrainingProgram p;
    p.optimizer.call = s.find("SGD(lr=lr)");
    p.optimizer.name = literal<std::string>("sgd", p.optimizer.call);
    p.optimizer.lr = named(0.1, s.find("lr = 0.1"), s.find("0.1"), s.find("lr", 2));
    auto loc = locate(Fault::lr, p);
    REQUIRE(loc);
    CHECK(s.at(loc->range) == "lr = 0.1");
    REQUIRE(loc->related.size() == 2);
    CHECK(s.at(loc->related[0]) == "lr");
    CHECK(loc->related_messages[0] == "learning rate used here");
    CHECK(s.at(loc->related[1]) == "SGD(lr=lr)");
}

TEST_CASE("locate act: Activation layer after the Dense, else the last layer") {
    Script s("Dense(10)\nActivation('softmax')\n");
    TrainingProgram p;
    p.layers.push_back(keras_layer(s, "Dense(10)"));
    p.layers.push_back(keras_layer(s, "Activation('softmax')"));
    auto loc = locate(Fault::act, p);
    REQUIRE(loc);
    CHECK(s.at(loc->range) == "'softmax'");
    REQUIRE(loc->related.size() == 1);
    CHECK(s.at(loc->related[0]) == "Dense(10)");

    p.layers.pop_back();
    loc = locate(Fault::act, p);
    REQUIRE(loc);
    CHECK(s.at(loc->range) == "Dense(10)"); // the default activation: the layer taking it

    Script c("Conv2D(32, 3)\n");
    TrainingProgram q;
    Layer conv;
    conv.kind = "Conv2D";
    conv.span = c.find("Conv2D(32, 3)");
    q.layers.push_back(conv);
    loc = locate(Fault::act, q);
    REQUIRE(loc);
    CHECK(c.at(loc->range) == "Conv2D(32, 3)");
}

TEST_CASE("locate weight_init: the first written initializer, the others related") {
    Script s("Dense(8, kernel_initializer='zeros')\nDense(1, kernel_initializer='ones')\n");
    TrainingProgram p;
    for (auto call : {"Dense(8, kernel_initializer='zeros')", "Dense(1, kernel_initializer='ones')"}) {
        Layer l = keras_layer(s, call);
        std::string v = std::string(call).find("zeros") != std::string::npos ? "zeros" : "ones";
        l.kernel_initializer = literal(v, s.find_in(l.span, "'" + v + "'"));
        p.layers.push_back(l);
    }
    auto loc = locate(Fault::weight_init, p);
    REQUIRE(loc);
    CHECK(s.at(loc->range) == "'zeros'");
    REQUIRE(loc->related.size() == 1);
    CHECK(s.at(loc->related[0]) == "'ones'");
}

TEST_CASE("locate: nothing to point at gives nullopt, never a crash") {
    TrainingProgram empty;
    for (int f = 0; f <= static_cast<int>(Fault::api); ++f)
        CHECK_FALSE(locate(static_cast<Fault>(f), empty));
}
