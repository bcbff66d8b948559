#pragma once
// The L3 miss-rate report: the configurations of a kernel at one shape, thread count and cache
// state ranked by L3 miss rate beside their time, and the rank correlation between misses and time,
// so that the link between misses and speed — or its absence — is visible.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/core/record.hpp"

namespace cromwell {

// Spearman's rank correlation (ties take their average rank); empty when either side is constant
// or the sizes differ or are below 2.
std::optional<double> spearman(std::span<const double> x, std::span<const double> y);

// The fewest rows, with misses that vary, that a correlation is shown for.
inline constexpr std::size_t kMinCorrelated = 5;

struct L3Group {
  std::string kernel, shape, cache;
  int threads = 1;
  std::vector<const Record*> rows;  // measured rows with an l3_miss_rate, highest rate first
  std::optional<double> rho;        // Spearman(l3_miss_rate, time_ns)
  std::string why_no_rho;           // when rho is empty
  std::string counters;             // the rows' counter source(s), e.g. "sim:zen3"
  bool simulated() const { return counters.rfind("sim", 0) == 0; }
};

std::vector<L3Group> l3_groups(const std::vector<Record>& records);

}  // namespace cromwell
