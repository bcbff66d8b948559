#pragma once
// Topology (from hwloc) and the pin policies that map a thread count to CPUs.
//
// Policies (docs/pinning.md; thread i runs on cpus[i]):
//   none     no pinning: the OS places threads.
//   compact  fill PUs in hwloc's logical order: SMT siblings of a core before the next core.
//   scatter  round-robin over L3 domains (then cores within each, then SMT siblings).
//   cores    one thread per physical core, first PU of each core in order; at most #cores threads.
//   ccx      fill one L3 domain first: its cores in order, then the next domain's; SMT siblings
//            only once every core has a thread.
//   <list>   an explicit cpu list such as "0,2,4-7" (OS indices), one cpu per thread.
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

struct Pu {
  int os_index = 0;  // the CPU number the OS uses (sched_setaffinity)
  int core = 0;      // logical index of its physical core
  int l3 = 0;        // logical index of its L3 domain (0 when the machine reports none)
  int numa = 0;      // logical index of its NUMA node
  int smt = 0;       // rank among the PUs of its core
};

struct Topology {
  std::vector<Pu> pus;  // in hwloc's logical order, restricted to the CPUs we may run on
  int cores = 0, l3_domains = 0, numa_nodes = 0, packages = 0;  // l3_domains = 0: no L3 reported
  std::string describe() const;                                 // "1 package, 2 L3, 12 cores, 24 PUs"
};

// The machine's topology, restricted to the process's allowed CPUs (read once).
const Topology& machine_topology();
// A synthetic topology in hwloc's syntax, e.g. "package:1 l3cache:2 core:6 pu:2" (for tests).
Topology synthetic_topology(const std::string& description);

// OS cpu indices for `threads` threads under `pin`; empty for "none". Throws
// std::invalid_argument naming the policy and the limit when the request cannot be met.
std::vector<int> pin_cpus(const Topology& topo, std::string_view pin, int threads);
// Parses "0,2,4-7" into {0,2,4,5,6,7}; throws std::invalid_argument on bad syntax.
std::vector<int> parse_cpu_list(std::string_view text);
bool is_pin_policy(std::string_view pin);  // none|compact|scatter|cores|ccx

}  // namespace cromwell
