#pragma once
// Runs an expanded plan: calibration rows first, then the configs the strategy chooses; each
// record goes to every sink as soon as it exists. Rejected and pruned configs are written as they
// are (they cost nothing); rows already recorded (a resumed sweep) are fed to the strategy in
// order and never measured or written again.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/io/sink.hpp"
#include "harness/run/expand.hpp"
#include "harness/run/measure.hpp"
#include "harness/run/strategy.hpp"

namespace cromwell {

struct RunSummary {
  std::vector<Record> records;  // measured rows (for the best-configuration table)
  int total = 0, measured = 0, rejected = 0, pruned = 0, unsupported = 0, failed = 0, errors = 0;
  int recorded = 0;            // rows found in the output and not run again
  int stopped_by = 0;          // the signal that stopped the run before its end, else 0
  std::string counts() const;  // "12 rows: 8 measured, 2 rejected, ..."
  // Counts a row by its status (and keeps a measured one in `records` when `keep`).
  void add(const Record& r, bool keep);
};

// The row of a config that is not run (rejected, pruned): its status and reason.
Record not_run(const PlannedConfig& pc);

struct RunOptions {
  bool time = true;  // false: check only (no timing, no calibration)
  Strategy strategy;
  std::uint64_t seed = 1;  // of random and search draws
  // The objective of a row, lower is better (a max: objective negated); nullopt when the row has
  // none (not measured). Empty: time_ns.
  std::function<std::optional<double>(const Record&)> objective;
  // A runnable config to its record (in this process, in a child process, from a replayed file),
  // and a calibration row for (threads, pin); never throw for a problem of the config itself.
  std::function<Record(const PlannedConfig&)> measure;
  std::function<Record(const Axes&)> calibrate;  // empty: no calibration rows
  std::map<std::string, Record> recorded;        // by key: rows already in the output
  std::string shard;                             // "K/N": the tag of every row written
};

RunSummary run_plan(const Plan& plan, const std::vector<Sink*>& sinks, const RunOptions& opt);
// Every config measured in this process by `m`.
RunSummary run_plan(const Plan& plan, const Measurer& m, const std::vector<Sink*>& sinks, bool time);

// random:N as a choice made before anything runs: keeps N of the plan's runnable configs (drawn
// by the strategy's seeded draw) and every config that is not run, in plan order. The plan is then
// run as a grid: the same configs whatever the shard, the resume or the results.
void draw_random(Plan& plan, const Strategy& random, std::uint64_t seed);

// The number of rows the plan will write at most (calibrations, configs), for progress.
std::size_t rows_to_write(const Plan& plan, const RunOptions& opt);

}  // namespace cromwell
