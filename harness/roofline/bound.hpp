#pragma once
// Where a measured row sits under the roofline of this machine's profile: its performance as a
// fraction of the bound at its arithmetic intensity (pct_peak), and what bounds it (compute, or the
// level of memory its working set lives in). The bound is min(peak, intensity × bandwidth) for
// the row's thread count, the widest ISA its variant uses and the level that holds its working
// set (DRAM for a cold row); a kernel without flops is bounded by the bandwidth alone.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/record.hpp"
#include "harness/core/work.hpp"
#include "harness/platform/machine.hpp"
#include "harness/roofline/profile.hpp"

namespace cromwell {

struct RowFacts {
  double gflops = 0, gbps = 0;  // as measured (0 when the work model has none)
  double working_set = 0;       // bytes a call touches (the work model's compulsory bytes)
  int threads = 1;
  std::vector<std::string> isa;  // the variant's target features ("avx2", "fma"; empty = baseline)
  bool cold = false;             // cache=cold: the data comes from DRAM
};

struct RowBound {
  std::optional<double> pct_peak;     // of the bound at the row's threads, ISA and level
  std::optional<double> pct_machine;  // of the bound with the widest ISA and every thread
  std::string bound;   // "compute", "L1" … "DRAM" (+ " (profile stale)" above 1.05); or why pct_peak is empty
  double ceiling = 0;  // the bound itself: GFLOP/s, or GB/s for a kernel without flops
};

// The peak ISA of a variant's features: "avx512", "avx2" or "baseline".
std::string peak_isa(const std::vector<std::string>& features);
// The level of memory that holds `bytes` at `threads` threads: L1 and L2 are per core, L3 per
// domain (one domain assumed); beyond L3, DRAM. `caches`: the sizes in force (machine_caches():
// those the machine reports where plausible, else the profile's measured ones).
std::string level_of(const CacheSizes& caches, double bytes, int threads);
// A ceiling at `threads` threads: the measured value, else a straight line between the nearest
// measured counts below and above (the last one beyond them).
std::optional<double> at_threads(const std::map<int, Ceiling>& m, int threads);

RowBound roofline_bound(const MachineProfile& p, const CacheSizes& caches, const RowFacts& row);

// Fills a measured row's pct_peak, pct_machine and bound from this machine's profile (or, without
// one, its bound with the reason); `isa`: its variant's target features.
void place_on_roofline(Record& r, const Work& w, const std::vector<std::string>& isa);

// A fraction above this means the profile under-states the machine (measured on a slower day).
inline constexpr double kStaleAbove = 1.05;

}  // namespace cromwell
