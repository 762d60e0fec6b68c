#include "extract.h"

namespace faultline {

void extract_tf1(Context& cx) {
    cx.note(cx.root, "TensorFlow 1 graph code is not read yet", true);
    fill_data_fallback(cx);
}

} // namespace faultline
