#pragma once
// Timing through Google Benchmark: one registered benchmark per config, real time, a number of
// repetitions of at least `min_time` seconds each; returns the time per call of each repetition.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "harness/core/options.hpp"

namespace cromwell {

// Called around the timed loop of every repetition only (counters start/stop here).
struct TimedHooks {
  std::function<void()> start;
  std::function<void(std::size_t calls)> stop;  // calls made by the loop that just ended
};

// `call(i)` is one kernel call; i counts calls across repetitions (cold-cache rotation uses it).
// Exceptions from `call` stop the measurement and are rethrown.
std::vector<double> time_calls(const std::string& name, const std::function<void(std::size_t)>& call,
                               const TimingOptions& opt, const TimedHooks& hooks = {});

}  // namespace cromwell
