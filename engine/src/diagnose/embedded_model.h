// The model files compiled into the library by cmake/EmbedModel.cmake (empty before the first model exists).
#pragma once

#include <cstddef>

namespace faultline::diag {

struct EmbeddedFile {
    const char* name;
    const unsigned char* data;
    size_t size;
};

extern const EmbeddedFile kEmbeddedModelFiles[];
extern const size_t kEmbeddedModelFileCount;

} // namespace faultline::diag
