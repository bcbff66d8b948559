#pragma once
// `report --confirm`: the best of many noisy rows looks better than it is, so the speed-ups a
// report quotes come from an interleaved re-measurement (run/compare.hpp) of the three fastest
// variants' best configurations of each group against the group's naive one.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "harness/core/options.hpp"
#include "harness/report/best.hpp"
#include "harness/run/stats.hpp"

namespace cromwell {

inline constexpr std::size_t kConfirmed = 3;  // configurations of a group re-measured beside naive

struct Confirmation {
  std::map<std::string, Ratio> vs_naive;       // config key → naive's time / its time, with a 95 % interval
  std::map<std::string, std::string> why_not;  // group caption → why it was not re-measured
  int rounds = 0;
};

// Re-measures, group by group, and says on `progress` what it is doing.
Confirmation confirm_best(const std::vector<BestGroup>& groups, const MeasureOptions& opt, int rounds,
                          std::FILE* progress);

// "m:512,n:512,k:512, 1 thread(s), hot cache": how the report names a group.
std::string group_caption(const BestGroup& g);

}  // namespace cromwell
