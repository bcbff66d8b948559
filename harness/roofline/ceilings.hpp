#pragma once
// Measuring the machine profile (`cromwell roofline`): the effective clock, the fp32 peak of each
// ISA the CPU has, the bandwidth-against-size curve and the cache sizes on it, and the bandwidth
// of read, copy and non-temporal copy with data in L1, L2, L3 and DRAM — one thread and all
// threads. Each ceiling is the best of `trials` trials (these machines boost and are shared: the
// best is what the hardware can do, the median and minimum say how steadily).
#include <cstdio>
#include <functional>
#include <string>

#include "harness/roofline/profile.hpp"

namespace cromwell {

struct RooflineOptions {
  int trials = 5;               // per ceiling (at least 5 for a profile that is saved)
  double trial_seconds = 0.05;  // the length of one trial
  int curve_trials = 3;         // per size of the bandwidth curve
  std::int64_t curve_max = 512ll << 20;
  // One line per step (what is measured now), or nothing.
  std::function<void(const std::string&)> progress;
};

MachineProfile measure_profile(const RooflineOptions& opt);
class Pool;
// The peak of one kind of arithmetic on every thread of `pool` (pinned as the pool is), in GFLOP/s
// or G operations/s: an fp32 ISA of peak_isas() ("baseline", "avx2", "avx512") or a dot product of
// probes::dot_kinds() ("int8_avx512_vnni", ...). Throws std::invalid_argument for an unknown kind or
// one this CPU lacks.
Ceiling measure_peak(const std::string& kind, Pool& pool, const RooflineOptions& opt);

// Where one level's working set is measured, per thread, at `threads` threads: half of L1; half of
// L2 (and at least twice L1); half of the L3 share of each thread (and at least twice L2); DRAM:
// 8 × L3 and at least 256 MiB over all threads. Bytes, a multiple of 4 KiB.
std::int64_t level_bytes(const std::string& level, int threads, std::int64_t l1, std::int64_t l2, std::int64_t l3);

}  // namespace cromwell
