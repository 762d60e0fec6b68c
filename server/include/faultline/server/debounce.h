// How long to wait after a change before re-running the static checks: long enough to not re-analyze on every
// keystroke, short enough to feel instant. Follows the recent analysis times (the idea of clangd's
// DebouncePolicy), clamped to [min, max].
#pragma once

#include <chrono>
#include <deque>

namespace faultline::server {

class DebouncePolicy {
public:
    using ms = std::chrono::milliseconds;
    DebouncePolicy(ms min = ms(50), ms max = ms(500)) : min_(min), max_(max) {}
    void record(std::chrono::duration<double, std::milli> analysis_time);
    ms delay() const;

private:
    ms min_, max_;
    std::deque<double> recent_ms_;
};

} // namespace faultline::server
