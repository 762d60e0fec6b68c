// The Keras and tf.keras reader, shared by keras.cpp (which model, compile, fit), keras_model.cpp (how layers
// are assembled: Sequential, add calls, loops, helpers, the functional API, subclassed models) and
// keras_layers.cpp (one layer call and its arguments).
#pragma once

#include "extract.h"

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace faultline::keras {

inline bool contains(TSNode outer, TSNode inner) {
    return ts_node_start_byte(inner) >= ts_node_start_byte(outer) &&
           ts_node_end_byte(inner) <= ts_node_end_byte(outer);
}

class KerasReader {
public:
    explicit KerasReader(Context& cx) : cx_(cx), fw_(cx.prog.framework) {}

    void run();

private:
    TSNode model_creation(TSNode expr) const;
    // The layer expressions of a literal list, also of lists joined with `+`; false when not such a list.
    bool layer_list(TSNode expr, std::vector<TSNode>& items, int depth = 0) const;
    TSNode training_call(std::initializer_list<std::string_view> methods, TSNode model) const;
    void read_sequential(TSNode seq);
    struct Site {
        TSNode node;     // the add call, or a helper's call site
        TSNode helper{}; // the helper's definition for a call site
    };
    void read_sites(const std::vector<Site>& sites, TSNode floor);
    void read_add(TSNode add_call);
    // `[Dense(n) for n in sizes]`: the body once per item of a known sequence.
    void read_comprehension(TSNode comp);
    void read_helper(TSNode site, TSNode def);
    // The outermost loop around `call` that starts after the model is created (layers added in a loop).
    TSNode loop_around(TSNode call, TSNode model) const;
    void unroll(TSNode loop, const std::function<void()>& body);
    void read_functional(TSNode model_call);
    // A merge (`layers.add([x, y])`) read as its first input, with a note; null when the inputs are not a
    // list.
    TSNode merge_branch(TSNode merge, TSNode inputs);
    // `class Net(keras.Model)` instantiated by `call`: the class, or null.
    TSNode subclass_of(TSNode call) const;
    // Layers built in __init__ (`self.d1 = layers.Dense(...)`), in the order call() applies them.
    void read_subclass(TSNode cls);
    void walk_call(TSNode expr, const std::unordered_map<std::string, TSNode>& attrs, int depth);
    std::optional<Layer> read_layer(TSNode expr);
    // A ConvLSTM2D that returns sequences, read as TimeDistributed(Conv2D) with a note.
    Layer per_step_conv(Layer conv, TSNode call) const;
    Value<std::string> read_activation(TSNode expr) const;
    void read_initializer(Layer& layer, TSNode expr, bool bias) const;
    void read_regularizer(Layer& layer, TSNode expr) const;
    std::vector<int64_t> read_shape(TSNode expr) const;
    void read_compile(TSNode call);
    void read_optimizer(TSNode expr);
    void read_loss(TSNode expr);
    void read_fit(TSNode call);
    void apply_generator_scaling(Data& data, TSNode flow_call);
    Value<double> param(TSNode expr) const { return cx_.number(expr); }
    void set_pair(Layer& layer, const char* first, const char* second, TSNode expr) const;

    Context& cx_;
    Framework fw_;
    // K.set_image_dim_ordering('th') / set_image_data_format('channels_first'): the script-wide default.
    bool channels_first_default_ = false;
    std::vector<int64_t> functional_input_;
    int submodel_depth_ = 0; // functional sub-models being read inside one another
};

} // namespace faultline::keras
