// Runs independent tasks on a bounded number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace faultline::cli {

// The number of threads `--jobs` defaults to: every core.
inline unsigned default_jobs() {
    return std::max(1u, std::thread::hardware_concurrency());
}

// Calls task(i) for each i in [0, count) on at most `jobs` threads; tasks are taken in index order, so the
// first ones start first. `task` must be safe to call concurrently for different indices.
template <class Task> void parallel_for(size_t count, unsigned jobs, Task&& task) {
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < count; i = next++)
            task(i);
    };
    const size_t threads = std::min<size_t>(std::max(1u, jobs), count);
    if (threads <= 1) {
        work();
        return;
    }
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t)
        pool.emplace_back(work);
    for (auto& t : pool)
        t.join();
}

} // namespace faultline::cli
