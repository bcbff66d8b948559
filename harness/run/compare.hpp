#pragma once
// Interleaved re-measurement of a few configs (A B B A A B B A …): the best of a hundred noisy
// configs looks better than it is, so quoted ratios come from here. The method (order, statistic,
// interval) is explained in stats.hpp.
#include <string>
#include <vector>

#include "harness/run/measure.hpp"
#include "harness/run/stats.hpp"

namespace cromwell {

struct CompareResult {
  std::vector<Record> records;  // one per key; samples_ns[r] is its time in round r
  std::vector<Ratio> speedup;   // time(first) / time(this), > 1 when faster than the first key
                                // (first entry is 1); paired_speedup of the samples
  int rounds = 0;
};

// Instances of one config differ for as long as they live: where their pages landed (cache sets,
// DRAM banks and channels, how the host backs the guest's memory) made one of two identical
// instances of a cold GEMV 2–5 % and, once, 20 % slower for a whole run, and one GEMM 0.5–1 %
// faster, which no number of rounds on one instance averages out and no interval over rounds sees.
// So each config gets kReplicas instances (fewer for short runs: one per pair of rounds), each
// with fresh memory, and a mirrored pair of rounds uses one replica of every config, the next pair
// the next: the pairs — and the bootstrap blocks, made of whole pairs — carry the variation
// between instances into the interval, and the median averages over them.
inline constexpr std::size_t kReplicas = 3;
std::size_t replicas_for(int rounds);
// The replica round `round` uses.
inline std::size_t replica_of(std::size_t round, std::size_t replicas) { return round / 2 % replicas; }

// Each round measures every config once (one Google Benchmark repetition of `min_time`), in the
// order of round_order: forward in even rounds, reversed in odd ones. The speed-up of config j is
// paired_speedup(records[0].samples_ns, records[j].samples_ns): the median of the per-round
// t_0 / t_j, balanced over forward and reverse rounds, with a 95 % block-bootstrap interval.
CompareResult compare(const std::vector<Config>& configs, const MeasureOptions& opt, int rounds);

}  // namespace cromwell
