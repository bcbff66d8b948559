#pragma once
// The best configuration of each variant, per kernel, shape, thread count and cache state: the
// measured row with the lowest median time (calibration rows aside), and its speed-up over the best
// `naive` row of the same group. Of a composed step's rows (decode: a row per stage and one for the
// token), the token's is the configuration.
#include <optional>
#include <string>
#include <vector>

#include "harness/core/record.hpp"

namespace cromwell {

struct BestRow {
  const Record* record = nullptr;
  int measured = 0;                // measured configs of this variant in the group
  std::optional<double> vs_naive;  // naive's time / this time; empty when the group has no naive row
};

struct BestGroup {
  std::string kernel, shape, cache;
  int threads = 1;
  std::vector<BestRow> rows;  // fastest first
};

// Groups in order of first appearance of their kernel, then by shape, threads and cache.
std::vector<BestGroup> best_per_variant(const std::vector<Record>& records);

// The value of a metric column of a row (l3_miss_rate, ...), if the row has it.
std::optional<double> metric_of(const Record& r, const std::string& name);

}  // namespace cromwell
