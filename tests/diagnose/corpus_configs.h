// Program configs shared by the corpus tests.
#pragma once

#include "faultline/engine/train.h"

#include <string>

namespace faultline::corpus::testing {

// A sound two-hidden-layer MNIST classifier: relu, softmax, categorical cross-entropy, SGD at 0.01.
inline ProgramConfig mnist_mlp(const std::string& id = "b00001") {
    ProgramConfig c;
    c.id = id;
    c.dataset = "mnist";
    c.task = Task::Multiclass;
    c.classes = 10;
    c.features = 784;
    c.hidden = {{"Dense", 64, "relu", 0.0}, {"Dense", 32, "relu", 0.0}};
    c.output_units = 10;
    c.output_activation = "softmax";
    c.loss = "categorical_crossentropy";
    c.optimizer = "sgd";
    c.lr = 0.01;
    c.epochs = 30;
    c.batch_size = 32;
    return c;
}

} // namespace faultline::corpus::testing
