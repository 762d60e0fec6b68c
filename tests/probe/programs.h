// Builds TrainingPrograms by hand for the probe tests, the way the parser would fill them.
#pragma once

#include "faultline/parser/program.h"

#include <cstdint>
#include <string>
#include <vector>

namespace probe_test {

using faultline::Framework;
using faultline::LabelFormat;
using faultline::Layer;
using faultline::OriginKind;
using faultline::Span;
using faultline::TrainingProgram;
using faultline::Value;

template <class T> Value<T> lit(T v) {
    Value<T> out;
    out.value = v;
    out.kind = OriginKind::Literal;
    return out;
}

// A span on line `row` so findings can be told apart by line.
inline Span line(uint32_t row) {
    Span s;
    s.start = {row, 0};
    s.end = {row, 10};
    s.start_byte = row * 100;
    s.end_byte = row * 100 + 10;
    return s;
}

inline Layer layer(const std::string& kind, uint32_t row = 0) {
    Layer l;
    l.kind = kind;
    l.span = line(row);
    return l;
}

inline Layer dense(int64_t units, const std::string& activation = "linear",
                   std::vector<int64_t> input_shape = {}, uint32_t row = 0) {
    Layer l = layer("Dense", row);
    l.units = lit(units);
    l.activation = lit(activation);
    l.input_shape = std::move(input_shape);
    return l;
}

inline Layer activation(const std::string& name, uint32_t row = 0) {
    Layer l = layer("Activation", row);
    l.activation = lit(name);
    return l;
}

inline Layer with_param(Layer l, const std::string& name, double v) {
    l.params[name] = lit(v);
    return l;
}

inline Layer conv2d(int64_t filters, int64_t kernel, const std::string& act,
                    std::vector<int64_t> input_shape = {}, uint32_t row = 0) {
    Layer l = layer("Conv2D", row);
    l.units = lit(filters);
    l.activation = lit(act);
    l.params["kernel_size"] = lit(static_cast<double>(kernel));
    l.input_shape = std::move(input_shape);
    l.padding = "valid";
    return l;
}

inline Layer recurrent(const std::string& kind, int64_t units, bool sequences = false, uint32_t row = 0) {
    Layer l = layer(kind, row);
    l.units = lit(units);
    l.params["return_sequences"] = lit(sequences ? 1.0 : 0.0);
    return l;
}

// A Keras classifier on MNIST-shaped inputs (784 standardized or 0..255 pixels), as the real scripts write
// it.
inline TrainingProgram keras_program(std::vector<Layer> layers, const std::string& loss,
                                     const std::string& optimizer, double lr, int64_t epochs = 5,
                                     int64_t batch = 32) {
    TrainingProgram p;
    p.framework = Framework::Keras;
    p.layers = std::move(layers);
    p.model_span = line(1);
    p.loss.name = lit(loss);
    p.optimizer.name = lit(optimizer);
    p.optimizer.lr = lit(lr);
    p.epochs = lit(epochs);
    p.batch_size = lit(batch);
    return p;
}

inline TrainingProgram mnist_mlp(const std::string& loss = "categorical_crossentropy",
                                 const std::string& optimizer = "adam", double lr = 0.001,
                                 int64_t epochs = 5) {
    TrainingProgram p = keras_program({dense(64, "relu", {784}, 10), dense(10, "softmax", {}, 11)}, loss,
                                      optimizer, lr, epochs, 32);
    p.data.source = lit(std::string("mnist"));
    p.data.input_shape = {784};
    p.data.num_classes = lit(int64_t{10});
    p.data.labels = loss == "sparse_categorical_crossentropy" ? LabelFormat::Integer : LabelFormat::OneHot;
    p.data.scaled = lit(true);
    p.data.is_image = true;
    return p;
}

} // namespace probe_test
