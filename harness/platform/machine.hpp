#pragma once
// Machine facts that constraints and pin policies depend on: cache sizes from one source
// (user override, else sysfs, else CPUID, with a sanity cap) and the logical CPU count.
#include <cstdint>
#include <string>

namespace cromwell {

struct CacheSizes {
  std::int64_t l1d = 0, l2 = 0, l3 = 0;  // bytes, per core (L1D, L2) and per L3 domain (L3)
  std::string source;                    // "override", "sysfs", "cpuid", "default (...)"
};

// Sizes used for constraints and the run context. `override_spec` is the --caches option
// ("l1d=32K,l2=512K,l3=32M"); an empty string means detect. Detection rejects implausible values
// (VMs report an L3 of 508 MiB) and then uses the Zen 3 design target, saying so in `source`.
CacheSizes cache_sizes(const std::string& override_spec = "");
void set_cache_override(const std::string& spec);  // used by the CLI for the whole run
// Sizes measured on this machine (the machine profile's bandwidth curve; 0 = not found): they
// replace the levels whose detection fell back to the default, and `source` says so.
void set_measured_caches(const CacheSizes& measured);
const CacheSizes& machine_caches();  // the sizes in force for this run

std::int64_t parse_bytes(const std::string& text);  // "32K", "512KiB", "32M", "1048576"

// Memory this process may still allocate: MemAvailable of /proc/meminfo, or the cgroup's limit
// less its usage when that is lower; `source` names which.
struct MemoryAvailable {
  std::int64_t bytes = 0;
  std::string source;
};
MemoryAvailable memory_available();

}  // namespace cromwell
