#pragma once
// The run Context: facts written once per run as a JSON file next to the CSV (host, CPU, ISA,
// logical-CPU mapping, caches and their source, governor, THP, FTZ/DAZ, perf_event_paranoid,
// NMI watchdog, counter backend, compiler, flags and build type, library versions, git commit,
// date, command line) and the version of the results schema its rows follow.
#include <cstddef>
#include <string>

namespace cromwell {

struct ContextExtras {
  std::string counters_backend = "none";
  std::string command_line;
  std::size_t cold_bytes = 0;  // 0: not recorded
};

std::string context_json(const ContextExtras& extras);
void write_context(const std::string& path, const ContextExtras& extras);

}  // namespace cromwell
