#include "extract.h"

namespace faultline {

void extract_pytorch(Context& cx) {
    cx.note(cx.root, "PyTorch scripts are not read yet", true);
}

} // namespace faultline
