// Probing several edited programs at once: fix validation and the what-if probes share the pool shape.
#pragma once

#include <algorithm>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace faultline::fixes {

// Two probes at a time, each on one thread: the machines this runs on have two cores.
inline constexpr size_t kProbeWorkers = 2;

// Runs `worker` on min(kProbeWorkers, jobs) threads, the calling thread included, and waits for all of them.
// The worker takes its jobs from a shared counter, so a slow probe does not hold up the others.
inline void run_probe_workers(size_t jobs, const std::function<void()>& worker) {
    std::vector<std::thread> threads;
    for (size_t t = 1; t < std::min(kProbeWorkers, jobs); ++t)
        threads.emplace_back(worker);
    worker();
    for (auto& t : threads)
        t.join();
}

} // namespace faultline::fixes
