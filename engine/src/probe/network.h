// The rebuilt network: one torch module per layer of the TrainingProgram, with the framework's layouts and
// initial values (Keras: channels-last, glorot_uniform kernels and zero biases; PyTorch: torch's defaults).
#pragma once

#include "faultline/parser/program.h"
#include "probe/shapes.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace faultline::probe {

// Outputs of bounded activations (sigmoid, tanh, ...) collected during one observed forward pass.
struct Observer {
    bool enabled = false;
    std::vector<std::pair<std::string, torch::Tensor>> bounded_outputs;
};

class Block : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    // The main weight (Dense/Conv kernel, RNN input kernel, Embedding table), or undefined.
    virtual torch::Tensor kernel() const { return {}; }
    // Gives the block's training-time randomness (dropout masks) a generator of its own, so that two probes
    // training at once in one process draw exactly what each would draw alone.
    virtual void seed(uint64_t) {}

    std::string kind;
    size_t layer_index = 0;
};

class Network : public torch::nn::Module {
public:
    // Throws std::invalid_argument for a layer or setting it cannot rebuild (the plan has already ruled out
    // shape errors).
    Network(const TrainingProgram& program, const NetworkPlan& plan);

    torch::Tensor forward(const torch::Tensor& x);

    // Kernels of the weighted layers in forward order, with the index of their layer in the program.
    std::vector<std::pair<size_t, torch::Tensor>> kernels() const;

    // Seeds every block's training-time randomness (Block::seed) from `seed`, one stream per block.
    void seed_training(uint64_t seed);

    Observer& observer() { return *observer_; }
    const std::vector<std::shared_ptr<Block>>& blocks() const { return blocks_; }
    // Initializer names the probe did not recognise (they fall back to the framework default).
    const std::vector<std::string>& notes() const { return notes_; }

private:
    std::vector<std::shared_ptr<Block>> blocks_;
    std::shared_ptr<Observer> observer_ = std::make_shared<Observer>();
    std::vector<std::string> notes_;
};

// Applies an activation by its canonical name (program.h); unknown names throw std::invalid_argument.
// `alpha` is the slope or scale where the name takes one (leaky_relu, elu).
torch::Tensor activate(const std::string& name, const torch::Tensor& x, Framework framework,
                       double alpha = -1.0);

} // namespace faultline::probe
