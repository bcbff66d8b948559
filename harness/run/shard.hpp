#pragma once
// A shard of a sweep: shard K of N keeps the configs at positions i of the whole expanded plan with
// i % N == K, so N shards (K = 0 .. N-1, e.g. the tasks of a Slurm job array `--array=0-(N-1)`
// with K = $SLURM_ARRAY_TASK_ID) are disjoint, cover the plan and differ in size by at most one.
// The partition depends only on the plan's order, which expand() fixes, so every task of one sweep
// computes the same partition.
#include <string>
#include <string_view>

#include "harness/run/expand.hpp"

namespace cromwell {

struct Shard {
  int index = 0, count = 1;
  std::string text() const;  // "K/N"
  bool operator==(const Shard&) const = default;
};

// "K/N" with 0 ≤ K < N; throws std::invalid_argument naming the text and the allowed form.
Shard parse_shard(std::string_view text);

// Keeps the configs of `shard` (rejected and pruned ones included) and the calibrations their
// runnable configs need.
void keep_shard(Plan& plan, const Shard& shard);

}  // namespace cromwell
