#include "faultline/parser/program.h"

namespace faultline {

const char* to_string(Framework f) {
    switch (f) {
    case Framework::Unknown:
        return "unknown";
    case Framework::Keras:
        return "keras";
    case Framework::TfKeras:
        return "tf.keras";
    case Framework::PyTorch:
        return "pytorch";
    case Framework::TF1:
        return "tf1";
    }
    return "unknown";
}

const char* to_string(LabelFormat f) {
    switch (f) {
    case LabelFormat::Unknown:
        return "unknown";
    case LabelFormat::Integer:
        return "integer";
    case LabelFormat::OneHot:
        return "one-hot";
    case LabelFormat::Binary:
        return "binary";
    case LabelFormat::Real:
        return "real";
    }
    return "unknown";
}

} // namespace faultline
