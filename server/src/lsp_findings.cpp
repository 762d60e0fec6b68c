#include "faultline/server/lsp_findings.h"

namespace faultline::server {

bool ranges_touch(uint32_t a_start, uint32_t a_end, uint32_t b_start, uint32_t b_end) {
    return a_start <= b_end && b_start <= a_end;
}

} // namespace faultline::server
