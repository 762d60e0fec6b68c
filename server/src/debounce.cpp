#include "faultline/server/debounce.h"

#include <algorithm>
#include <vector>

namespace faultline::server {

namespace {
constexpr std::size_t kWindow = 8;
}

void DebouncePolicy::record(std::chrono::duration<double, std::milli> analysis_time) {
    recent_ms_.push_back(analysis_time.count());
    if (recent_ms_.size() > kWindow) recent_ms_.pop_front();
}

DebouncePolicy::ms DebouncePolicy::delay() const {
    if (recent_ms_.empty()) return min_;
    std::vector<double> sorted(recent_ms_.begin(), recent_ms_.end());
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    // Waiting about twice an analysis keeps a fast typist from queueing analyses back to back.
    auto wanted = ms(static_cast<int64_t>(2.0 * sorted[sorted.size() / 2]));
    return std::clamp(wanted, min_, max_);
}

} // namespace faultline::server
