#pragma once
// Steal time during a measurement, from the aggregate "cpu" line of /proc/stat.
#include <cstdint>
#include <optional>

namespace cromwell {

struct CpuTimes {
  std::uint64_t steal = 0, total = 0;
  bool valid = false;  // false when /proc/stat is unreadable or has no steal field
};

CpuTimes read_cpu_times();
// 100 · Δsteal / Δtotal; empty when either reading is invalid or no time passed.
std::optional<double> steal_pct(const CpuTimes& before, const CpuTimes& after);

}  // namespace cromwell
