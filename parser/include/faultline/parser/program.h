// The TrainingProgram: what a training script sets up, each value with the span that sets it.
//
// This is the contract between the parser (which fills it from text), the engine (which checks, rebuilds and
// probes it) and the fixes (which edit the text at the recorded spans). It names things in one vocabulary for
// every framework: a PyTorch nn.Linear is a "Dense" layer, nn.CrossEntropyLoss is a sparse categorical
// cross-entropy on logits, tf.train.GradientDescentOptimizer is "sgd".
#pragma once

#include "faultline/parser/source.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faultline {

// Where a value came from.
enum class OriginKind {
    Literal, // written in the script (possibly through a name: `lr = 0.1` ... `SGD(lr=lr)`)
    Default, // not written: the framework's default; origin is the call that takes it
    Derived, // computed from other known values (for example `x_train.shape[1]` of a known dataset)
    Unknown, // could not be resolved; `note` says why
};

template <class T> struct Value {
    std::optional<T> value;
    OriginKind kind = OriginKind::Unknown;
    Span origin; // the statement or literal that sets it (for Default: the call taking the default)
    std::vector<Span> uses; // where it is used, if different from the origin (`SGD(lr=lr)` for `lr = 0.1`)
    std::string note;       // why it is unknown, or how it was derived
    // For Literal values: the exact text span of the literal or argument value, so a fix can replace it.
    // Empty when the value is a default (the fix must insert an argument into `origin` instead).
    std::optional<Span> literal;
    // For an Unknown value the probe must still size (a layer's units, an Embedding's vocabulary): what a
    // reader would take, named by a note. It is not `value`: checks and rules see the value as unknown.
    std::optional<T> assumed;

    bool known() const { return value.has_value(); }
    const T& operator*() const { return *value; }
    T value_or(T fallback) const { return value ? *value : fallback; }
};

enum class Framework { Unknown, Keras, TfKeras, PyTorch, TF1 };
const char* to_string(Framework f);

// One layer of the network, in forward order. Canonical kinds (Keras names): Dense, Activation, Dropout,
// Flatten, Reshape, Conv1D, Conv2D, MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D,
// GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
// BatchNormalization, Embedding, SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed, LeakyReLU, PReLU, ELU,
// Softmax. A PyTorch activation module (nn.ReLU) or functional call (F.relu) is an "Activation" layer.
// "Identity" is a layer the parser could not rebuild and assumed shape-preserving (a note names it).
struct Layer {
    std::string kind;
    Span span;            // the whole layer expression (constructor call, or forward call for PyTorch)
    Value<int64_t> units; // Dense units, Conv filters, RNN units, Embedding output_dim
    Value<std::string>
        activation; // canonical names: linear, relu, sigmoid, softmax, tanh, softplus, softsign,
                    // selu, elu, exponential, hard_sigmoid, swish, gelu, leaky_relu, log_softmax
    Value<std::string>
        kernel_initializer; // glorot_uniform, he_normal, random_normal, uniform, zeros, ones, ...
    Value<std::string> bias_initializer;
    // Numeric settings by name: rate (Dropout), kernel_size, kernel_size2, strides, pool_size, input_dim
    // (Embedding vocabulary or Dense input width), alpha (LeakyReLU/ELU), init_stddev, init_minval,
    // init_maxval, in_features (PyTorch), in_channels, return_sequences (0/1), l1, l2.
    std::map<std::string, Value<double>> params;
    std::string padding; // valid or same
    std::vector<int64_t>
        input_shape; // declared per-sample input shape (input_shape=, input_dim=), else empty
    std::vector<int64_t> target_shape; // Reshape
    std::vector<Layer> inner;          // the wrapped layer of Bidirectional / TimeDistributed
    bool channels_first = false;       // PyTorch convolutions
};

struct Optimizer {
    Value<std::string> name; // sgd, adam, rmsprop, adagrad, adadelta, adamax, nadam, adamw, ftrl
    Value<double> lr;
    Value<double> momentum;
    Value<double> decay;
    Value<bool> nesterov;
    Span call;                      // the constructor call, or the string literal ('adam')
    bool written_as_string = false; // compile(optimizer='adam')
    std::string lr_keyword; // spelling to use when editing: "lr" or "learning_rate" (or "" = positional)
    // The epsilon added to the denominator of adaptive optimizers (Adam, RMSprop, Adagrad, ...): the written
    // value, or the framework's default with the constructor call as origin. Unknown for SGD and the like.
    Value<double> epsilon;
    Span arguments;              // the constructor's parenthesized argument list, where a fix adds one
    std::string epsilon_keyword; // spelling to use when editing: "epsilon" or "eps" (PyTorch)
};

struct Loss {
    // categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error,
    // mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error, hinge,
    // squared_hinge, categorical_hinge, kl_divergence, poisson, cosine_similarity, logcosh, huber, nll
    Value<std::string> name;
    bool from_logits = false;       // true for PyTorch CrossEntropyLoss/BCEWithLogitsLoss, TF1 *_with_logits
    std::string reduction = "mean"; // "sum" for TF1 -tf.reduce_sum(y * log(p))
    Span call;
    bool written_as_string = false;
    // A logarithm a hand-written cross-entropy takes of its predictions (`tf.log(y_conv)`,
    // `torch.log(p)`) with nothing keeping them away from 0: no `+ eps`, clip or clamp inside it.
    struct UnguardedLog {
        Span call;     // the log call
        Span argument; // its argument (where a clip goes)
        std::string
            clip; // the clip in the script's spelling: tf.clip_by_value, K.clip, torch.clamp ("" for p.log())
        std::string applied; // "softmax" or "sigmoid" when the argument is visibly such an output, else ""
    };
    std::optional<UnguardedLog> unguarded_log;
};

enum class LabelFormat { Unknown, Integer, OneHot, Binary, Real };
const char* to_string(LabelFormat f);

struct Data {
    Value<std::string> source; // mnist, fashion_mnist, cifar10, cifar100, imdb, reuters, boston_housing,
                               // csv, random, literal, unknown
    std::vector<int64_t> input_shape; // per-sample shape as the network sees it, without the batch dimension
    Value<int64_t> num_samples;       // training rows
    Value<int64_t> num_classes;
    LabelFormat labels = LabelFormat::Unknown;
    Span labels_span;        // where the label format is set (to_categorical, the load)
    Value<double> input_min; // value range fed to the network
    Value<double> input_max;
    // Whether the inputs are scaled before training. origin: the scaling statement when true; the load
    // statement when false (a fix inserts scaling after it).
    Value<bool> scaled;
    // Whether the training labels (targets) were divided or multiplied by a constant or standardised between
    // their load and training. origin: that statement when true.
    Value<bool> labels_scaled;
    bool labels_scaling_removable = false; // that statement only rescales the label name it assigns
    // Where a scaling of the inputs can follow, and the name it scales: for data read from a file the first
    // statement selecting part of the table into a name (`X = dataset[:, 0:8]`, before any split), else the
    // assignment (plain, or unpacking a load) of the name passed to training; empty when neither exists.
    Span inputs_bound;
    std::string inputs_name;
    std::vector<std::vector<double>> literal_x; // literal data (XOR tables, small np.array)
    std::vector<std::vector<double>> literal_y;
    double validation_split = 0.0;
    bool has_validation_data = false;
    bool is_image = false;
    bool is_sequence = false;
};

// What a hand-written PyTorch (or TF1) training loop calls, for the loop checks.
struct TrainingLoop {
    bool present = false;
    Span loop;                     // the `for` statement
    std::optional<Span> zero_grad; // optimizer.zero_grad() / model.zero_grad()
    std::optional<Span> backward;  // loss.backward()
    std::optional<Span> step;      // optimizer.step()
    bool validation_without_no_grad = false;
    std::optional<Span> validation; // where evaluation happens without eval()/no_grad
};

// Something the parser saw but could not read; the probe is skipped when the model itself is affected.
struct Note {
    Span span;
    std::string message;
    bool blocks_probe = false;
};

struct TrainingProgram {
    Framework framework = Framework::Unknown;
    std::vector<Layer> layers; // forward order; empty when no model was found
    Span model_span;           // Sequential(...) / Model(...) / class Net(nn.Module) / first tf op
    Loss loss;
    Optimizer optimizer;
    Value<int64_t> epochs;
    Value<int64_t> steps; // TF1 loops count steps, not epochs
    Value<int64_t> batch_size;
    Data data;
    // Whether the model computes in float16 throughout (a float16 placeholder or variable,
    // set_floatx('float16'), PyTorch model.half()); origin: where float16 is written. A mixed-precision
    // policy ('mixed_float16') keeps float32 weights and optimizer state and is not float16 here.
    Value<bool> float16;
    // A prediction thresholded at 0.5 while the network outputs logits (the tensor fed to a sigmoid
    // cross-entropy "with logits", or a PyTorch model trained with BCEWithLogitsLoss and no final sigmoid):
    // the logit of 0.5 is 0, so `logits > 0.5` calls a row positive only above probability 0.62.
    struct LogitThreshold {
        Span comparison;             // the comparison or rounding call
        Span logits;                 // the logits expression inside it (where a sigmoid goes)
        std::optional<Span> literal; // the 0.5 literal, when written
        std::string sigmoid;         // the sigmoid in the script's spelling: tf.sigmoid, torch.sigmoid
    };
    std::optional<LogitThreshold> logit_threshold;
    TrainingLoop loop;
    Span compile_call; // model.compile(...) or where the loss/optimizer are tied (TF1 minimize)
    Span fit_call;     // model.fit(...) or the training loop
    std::vector<Note> notes;
    bool has_syntax_errors = false;

    bool has_model() const { return !layers.empty(); }
};

} // namespace faultline
