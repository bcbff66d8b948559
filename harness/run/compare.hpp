#pragma once
// Interleaved re-measurement of a few configs (A B A B …): the best of a hundred noisy configs
// looks better than it is, so quoted ratios come from here.
#include <string>
#include <vector>

#include "harness/run/measure.hpp"

namespace cromwell {

struct Ratio {
  double median = 0, lo = 0, hi = 0;  // of time(first) / time(this): > 1 means faster than the first
};

struct CompareResult {
  std::vector<Record> records;  // one per key, samples = one per round
  std::vector<Ratio> speedup;   // relative to the first key (first entry is 1)
  int rounds = 0;
};

// Each round measures every config once (one Google Benchmark repetition of `min_time`), in
// order. The speed-up of config j is the median over rounds of t_0 / t_j (paired, so drifts of
// the machine cancel), with a distribution-free 95 % confidence interval from order statistics.
CompareResult compare(const std::vector<Config>& configs, const MeasureOptions& opt, int rounds);

// The 95 % confidence interval of the median of `v` from order statistics (binomial).
Ratio median_ci(std::vector<double> v);

}  // namespace cromwell
