#pragma once
// Do hardware counters open and count here? Opens `instructions` (user mode) on the calling
// thread and counts a loop of known length.
#include <string>

#include "counters/perf_events.hpp"

namespace cromwell {

struct HardwareProbe {
  bool opens = false, counts = false;
  int err = 0;
  std::string why;  // when not counting: the errno turned into advice
};

HardwareProbe probe_hardware(const PerfSysPtr& sys);

}  // namespace cromwell
