#pragma once
// The amd_l3 uncore PMU: lookups and misses of a whole L3 (every core of the CCX, every process),
// counted on one CPU per CCX — the CPUs listed in the PMU's cpumask — with pid −1, no exclude bits
// and no sampling, as the kernel's amd_uncore driver requires. Counting the whole CCX needs
// perf_event_paranoid ≤ 0 or CAP_PERFMON. Three states, each said in the row: the PMU is absent
// (VMs, Intel), present but not permitted (the reason and the command that permits it), counting.
//
// Events (Linux tools/perf/pmu-events/arch/x86/, Unit L3PMC): event 0x04 umask 0xFF (zen2, zen3
// recommended.json l3_accesses / l3_cache_accesses; zen4 cache.json, zen5 l3-cache.json
// l3_lookup_state.all_coherent_accesses_to_l3) and event 0x04 umask 0x01 (l3_misses;
// l3_lookup_state.l3_miss). They are encoded through the PMU's sysfs format files, not libpfm4:
// libpfm4 4.13 has no Zen 5 L3 table, and the bit layout of the other fields differs between
// Zen 2/3 (slicemask, threadmask) and Zen 4/5 (enallslices, enallcores, sliceid, threadmask).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "counters/perf_events.hpp"
#include "harness/core/record.hpp"

namespace cromwell {

// Places each field's value in the bits its format file names ("config:0-7,32-35"). Throws
// std::invalid_argument naming the file when a field has no format file or does not fit.
std::uint64_t encode_with_format(const std::string& format_dir, const std::map<std::string, std::uint64_t>& fields);

// Parses a CPU list as sysfs writes it ("0,6", "0-3,8").
std::vector<int> parse_cpu_list(const std::string& text);

// What this machine has: discovered once under sys->sysfs_root().
struct AmdL3Pmu {
  bool offered = false;   // a Zen PMU table (zen2..zen5): the columns exist, with values or a reason
  std::string why_not;    // absent or not understood: the reason for every value
  std::string state;      // one line: what is counted, or why not
  std::vector<int> cpus;  // one per CCX
  std::vector<EventCode> events;
  PerfSysPtr sys;
};
AmdL3Pmu discover_amd_l3(const std::string& pmu_table, PerfSysPtr sys);
const std::vector<std::string>& amd_l3_columns();  // l3_lookups_ccx, l3_misses_ccx

// Counting during the timed loops: one group per CCX. A refusal (EACCES/EPERM) becomes the reason of
// every value, with the command that permits it.
class AmdL3Session {
 public:
  explicit AmdL3Session(const AmdL3Pmu& pmu);
  void start();
  void stop(std::size_t calls);
  std::vector<Metric> finish() const;  // per call, summed over CCXs

 private:
  std::string why_not_;
  std::vector<PerfGroup> groups_;
  std::vector<double> totals_;
  std::size_t calls_ = 0;
  std::string read_failure_;
};

}  // namespace cromwell
