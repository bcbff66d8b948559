#pragma once
// Joining the shards of one sweep (`cromwell merge`): the files that `cromwell sweep --shard K/N`
// wrote, each with its context, into one results file and one context.
//
// Every input is a results file read back by read_results(); its context's `sweep` object names
// the sweep (`hash`), its size before sharding (`configs`), the shard (`shard`: "K/N", or null
// when the sweep was not sharded) and the keys the shard is to write (`keys`). Inputs of
// different sweeps (hash, shard count, config count, schema version or columns differ) and a
// shard given twice are refused before anything is written.
//
// The join keeps every row: calibration rows (kernel `noop`) from every shard, told apart by their
// `shard` column and never duplicates; a config key found twice is reported and its first row (in
// shard order) kept. A key of a shard's list without a row is missing, and so is every config of a
// shard 0..N-1 that no input holds. The merged rows are the calibrations in shard order, then the
// configs in the order of the whole sweep (position j of shard K is position j·N + K).
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/io/results.hpp"

namespace cromwell {

struct MergedInput {
  std::string path;
  std::string shard;  // "K/N", or empty for a sweep that was not sharded
  std::size_t rows = 0;
  nlohmann::ordered_json slurm;  // the context's sweep.slurm (job and array ids), or null
};

struct Merged {
  Columns columns;              // the union of the inputs' columns, in shard order
  std::vector<Record> records;  // calibrations, then configs in the whole sweep's order
  nlohmann::ordered_json context;
  std::vector<MergedInput> inputs;  // in shard order
  int shard_count = 1;
  std::size_t configs = 0;              // the whole sweep (sweep.configs)
  std::vector<std::string> duplicates;  // "KEY (in A.csv and B.csv)"
  std::vector<std::string> missing;     // keys of the inputs' lists without a row, in sweep order
  std::vector<int> absent_shards;       // shard indices that no input holds
  std::size_t absent_configs = 0;       // how many configs those shards hold
  std::vector<int> resubmit;            // shard indices with something missing (absent or missing keys)
  std::size_t unlisted = 0;             // rows whose key is in no input's list (kept, last)
  std::vector<std::string> notes;       // differences between inputs worth knowing (counters, CPU)

  std::size_t missing_count() const { return missing.size() + absent_configs; }
  bool complete() const { return missing_count() == 0; }
};

// Throws std::invalid_argument naming both files and the field that differs, or the file whose
// context does not describe its sweep.
Merged merge_results(const std::vector<ResultsFile>& inputs);

// Writes the rows to `path` through the results sinks (CSV; JSON lines for .jsonl) and the merged
// context next to it: the first shard's, with sweep.shard and sweep.slurm null, sweep.keys the
// union, `merged_from` (each input with its shard and Slurm ids) and `merge` (what is missing).
void write_merged(const Merged& m, const std::string& path, const std::string& command_line);

}  // namespace cromwell
