#include "counters/hardware_probe.hpp"

#include <linux/perf_event.h>

#include <fmt/format.h>

namespace cromwell {

HardwareProbe probe_hardware(const PerfSysPtr& sys) {
  HardwareProbe p;
  PerfGroup g;
  if (!g.open({{"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0}}, {}, sys)) {
    p.err = g.error_errno();
    p.why = g.error();
    return p;
  }
  p.opens = true;
  constexpr int kIterations = 1000000;
  g.start();
  for (int i = 0; i < kIterations; ++i) asm volatile("" ::: "memory");  // a loop the compiler keeps
  g.stop();
  GroupReading r;
  if (!g.read(r) || r.running == 0) {
    p.why = "the instructions counter opened but never ran (the PMU is taken by another user, or virtualised away)";
    return p;
  }
  if (r.values[0] < kIterations) {
    p.why = fmt::format("the instructions counter gave {} for a loop of {} iterations: it does not count here",
                        r.values[0], kIterations);
    return p;
  }
  p.counts = true;
  return p;
}

}  // namespace cromwell
