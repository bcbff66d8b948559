#pragma once
// The identity of a sweep, kept in the "sweep" object of its context: a resumed sweep, a shard and
// a merge tell the same sweep from another by it. "The same sweep" is the same expanded keys
// (before sharding) and the same measurement settings (timing, input seed, cold bytes, caches,
// counters, strategy, objective, search seed); resuming also wants the same commit, build flags
// and CPU model, which the context records anyway.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/core/options.hpp"
#include "harness/run/expand.hpp"
#include "harness/run/strategy.hpp"

namespace cromwell {

struct SweepSettings {
  MeasureOptions measure;
  Strategy strategy;
  Objective objective;
  std::uint64_t search_seed = 1;
};

// 16 hex digits (FNV-1a, 64 bits) of every key of `full` and of the settings.
std::string sweep_hash(const Plan& full, const SweepSettings& settings);

// What differs between the context of the file to resume and this run's context, one line per
// field ("sweep.hash: a1b2… in the file, c3d4… now"); empty when the sweep may be resumed.
std::vector<std::string> resume_mismatches(const nlohmann::ordered_json& file, const nlohmann::ordered_json& now);

// The Slurm job this process runs in (SLURM_JOB_ID, SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID,
// SLURM_ARRAY_TASK_COUNT, SLURM_RESTART_COUNT), null outside Slurm.
nlohmann::ordered_json slurm_ids();

}  // namespace cromwell
