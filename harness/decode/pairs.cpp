#include "harness/decode/pairs.hpp"

#include <algorithm>
#include <chrono>

namespace cromwell::decode {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Pairs measure_pairs(Step& step, std::size_t stages, int pairs, CounterSession* counters) {
  using Clock = std::chrono::steady_clock;
  const auto ns_since = [](Clock::time_point t0) {
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  };
  step.token();
  step.token();
  step.read_arena();
  Pairs p;
  p.stage_ns.assign(stages, {});
  std::vector<double> per_stage(stages);
  for (int i = 0; i < pairs; ++i) {
    std::fill(per_stage.begin(), per_stage.end(), 0.0);
    if (counters) counters->start();
    auto t0 = Clock::now();
    step.token(&per_stage);
    p.token_ns.push_back(ns_since(t0));
    if (counters) counters->stop(1);
    t0 = Clock::now();
    step.read_arena();
    p.read_ns.push_back(ns_since(t0));
    for (std::size_t s = 0; s < stages; ++s) p.stage_ns[s].push_back(per_stage[s]);
    p.bandwidth_gbps.push_back(double(step.arena_bytes()) / p.read_ns.back());
  }
  return p;
}

}  // namespace cromwell::decode
