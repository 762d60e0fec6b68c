#include "faultline/engine/activations.h"

#include <catch2/catch.hpp>

using namespace faultline;

TEST_CASE("activation families: how each activation passes the gradient back", "[activations]") {
    for (const char* a : {"relu", "leaky_relu", "elu", "selu", "gelu", "swish"})
        CHECK(activation_family(a) == ActivationFamily::ReluLike);
    for (const char* a : {"sigmoid", "tanh", "softsign", "hard_sigmoid", "softmax"})
        CHECK(activation_family(a) == ActivationFamily::Saturating);
    CHECK(activation_family("linear") == ActivationFamily::Linear);
    CHECK(activation_family("softplus") == ActivationFamily::Other);
    CHECK(activation_family("") == ActivationFamily::Other);
    CHECK(activation_family("Sigmoid") == ActivationFamily::Other); // names arrive in the parser's spelling
}

TEST_CASE("hidden_activation concerns saturating and linear layers only", "[activations]") {
    CHECK(hinders_hidden_layers("tanh"));
    CHECK(hinders_hidden_layers("softmax"));
    CHECK(hinders_hidden_layers("linear"));
    CHECK_FALSE(hinders_hidden_layers("relu"));
    CHECK_FALSE(hinders_hidden_layers("softplus"));
}
