// Which framework a script trains with, read from its imports (a script may import several: tf.keras wins
// over TF1 when Keras models are built through it, and a PyTorch script that borrows only Keras's dataset
// loaders or utilities trains with PyTorch).
#include "extract.h"

namespace faultline {

Framework detect_framework(const Scope& scope) {
    bool keras = false, tfkeras = false, torch = false, tf = false;
    for (const std::string& m : scope.imports()) {
        if (m == "keras" || m.rfind("keras.", 0) == 0) keras = true;
        if (m.rfind("tensorflow.keras", 0) == 0 || m.rfind("tensorflow.python.keras", 0) == 0) tfkeras = true;
        if (m == "torch" || m.rfind("torch.", 0) == 0) torch = true;
        if (m == "tensorflow" || m.rfind("tensorflow.", 0) == 0) tf = true;
    }
    bool tf_keras_calls = false, tf1_calls = false, keras_builds = false, torch_builds = false;
    for (const CallSite& c : scope.calls()) {
        std::string full = scope.qualify(c.callee);
        if (full.rfind("tensorflow.keras.", 0) == 0) tf_keras_calls = true;
        for (const char* part : {"keras.layers.", "keras.models.", "keras.optimizers.", "keras.Sequential",
                                 "keras.Model", "keras.Input"})
            if (full.find(part) != std::string::npos) keras_builds = true;
        if (full.rfind("torch.nn.", 0) == 0 || full.rfind("torch.optim.", 0) == 0) torch_builds = true;
        if (full == "tensorflow.placeholder" || full == "tensorflow.Session" ||
            full.rfind("tensorflow.train.", 0) == 0 || full == "tensorflow.compat.v1.placeholder")
            tf1_calls = true;
    }
    if (torch && !keras && !tfkeras) return Framework::PyTorch;
    if (torch && torch_builds && !keras_builds) return Framework::PyTorch;
    if (tfkeras || tf_keras_calls) return Framework::TfKeras;
    if (keras) return Framework::Keras;
    if (tf && tf1_calls) return Framework::TF1;
    if (torch) return Framework::PyTorch;
    if (tf) return Framework::TF1;
    return Framework::Unknown;
}

} // namespace faultline
