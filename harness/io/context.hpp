#pragma once
// The run Context: facts written once per run as a JSON file next to the CSV (host, CPU, ISA,
// logical-CPU mapping, caches and their source, governor, THP, FTZ/DAZ, perf_event_paranoid,
// NMI watchdog, counter backend, compiler, flags and build type, library versions, git commit,
// date, command line) and the version of the results schema its rows follow.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace cromwell {

struct ContextExtras {
  std::string counters_backend = "none";
  std::string command_line;
  std::size_t cold_bytes = 0;  // 0: not recorded
  // A sweep's identity and state (hash, shard, planned keys, spec, Slurm ids, phases); null: none.
  nlohmann::ordered_json sweep;
  // The machine profile the rows' pct_peak and bound come from (roofline/profile.hpp); null: none.
  nlohmann::ordered_json machine_profile;
};

nlohmann::ordered_json context_object(const ContextExtras& extras);
std::string context_json(const ContextExtras& extras);
void write_context(const std::string& path, const ContextExtras& extras);
// Any JSON file as the context is written (2-space indent), replaced in one rename.
std::string dump_json(const nlohmann::ordered_json& j);
void write_json_file(const std::string& path, const nlohmann::ordered_json& j);

}  // namespace cromwell
