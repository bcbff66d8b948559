#pragma once
// Expansion of a sweep: kernels × variants × shapes × each variant's space × axes → configs,
// with rejected and pruned points kept as records, and everything the user gave validated before
// anything runs (so bad input writes nothing).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/record.hpp"
#include "harness/core/registry.hpp"
#include "harness/io/schema.hpp"

namespace cromwell {

struct SweepRequest {
  std::vector<std::string> filters;                       // kernel.variant globs
  std::vector<std::pair<std::string, std::string>> sets;  // --set name=list
  std::vector<std::string> shapes;                        // --shape m:..,n:..
  bool check_shapes = false;                              // default to the awkward shapes
  std::string preset;                                     // --shapes llm
  std::vector<int> threads{1};
  std::vector<std::string> pins{"none"};
  std::vector<std::string> caches{"hot"};
  std::vector<std::int64_t> aligns{0};
  bool no_prune = false;
  std::size_t cold_bytes = 0;  // the cold-cache copies (0: the default), for the memory estimate
};

struct PlannedConfig {
  Config config;
  const VariantEntry* variant = nullptr;
  Status status = Status::measured;  // rejected / pruned: not run; measured: to run
  std::string reason;
};

struct Plan {
  std::vector<PlannedConfig> configs;
  std::vector<Axes> calibrations;  // one per (threads, pin) among the runnable configs
  Columns columns;                 // dims and params of the selection (the caller adds the metrics)
  std::vector<std::string> notes;  // remarks for the user (e.g. oversubscription)
};

// One calibration per (threads, pin) among the runnable (measured) configs, hot and aligned, in
// the order of their first config: what expand() puts in Plan::calibrations, and what a plan cut
// down (run/shard.hpp) recomputes for the configs it keeps.
std::vector<Axes> calibrations_of(const std::vector<PlannedConfig>& configs);

// Throws std::invalid_argument naming the problem (unknown kernel/variant/param, bad value,
// malformed shape, threads < 1, unknown pin or cache mode). A config whose workspaces (its cold
// copies included) and reference would not fit in the memory available is rejected with the
// numbers, before anything runs.
Plan expand(const SweepRequest& req);

// The checks expand() makes before it enumerates anything, alone: a sweep spec validates each of
// its parts with them (a request of just that part) without paying for the product.
void check_request(const SweepRequest& req);

// One --pin value as a list of pins: "compact,scatter" is two policies, "0,2" one cpu list.
std::vector<std::string> split_pins(const std::string& text);

// The built-in sweep run by `cromwell sweep` without filters or spec.
SweepRequest default_sweep();

}  // namespace cromwell
