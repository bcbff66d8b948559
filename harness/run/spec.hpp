#pragma once
// A sweep spec: a TOML file that chooses a sweep, so that a study can be committed, reviewed and run
// again (`cromwell sweep results/specs/gemm-l3-tiles.toml`). Examples are in results/specs/.
//
//   [sweep]                          # required
//   variants = ["gemm.blocked", "gemm.avx2*"]   # required: kernel.variant globs or kernel names
//   shapes = ["m:1024,n:1024,k:1024"]           # or shapes = "llm" (a preset); absent: the defaults
//   repetitions = 5                  # timed repetitions per config
//   min_time = 0.05                  # seconds per repetition
//   calibrate = false                # interleave a calibration kernel (gate --normalize)
//   strategy = "grid"                # grid | random:N | search:N
//   objective = "time_ns"            # a column, optionally min: or max: (max:gflops)
//   seed = 1                         # of the random and search draws
//   counters = "auto"                # auto | perf | sim | sw | none
//   no_prune = false                 # run what machine heuristics would prune
//   output = "results/runs/x.csv"
//
//   [params]                         # each is a --set: an integer, a string in --set syntax
//   tile = [32, 64, 128]             # ("0..16:2", "16..512*2", "t0,nta"), or a list of either
//   pf_dist = "0..16:2"
//
//   [axes]                           # each an item or a list
//   threads = [1, 2]
//   pin = ["compact", "scatter"]     # policies, or cpu lists such as "0,2"
//   cache = ["hot", "cold"]
//   align = [0, 4]
//
// Nothing runs until the whole spec validates: TOML syntax, unknown tables and keys (with a guess
// at what was meant), types, ranges, and what only the registry knows (globs that select nothing,
// params no selected variant has, values not valid for a param, shapes, pins) — the latter checked
// by the same code as the command line's (check_request in expand.hpp). Every error names
//   FILE:LINE: key 'sweep.repetitions': expected an integer ≥ 1, found 0 (the timed repetitions ...)
// and all errors of a spec are reported at once, one per line, in line order.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/expand.hpp"
#include "harness/run/strategy.hpp"

namespace cromwell {

struct SpecError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct SweepSpec {
  std::string path;  // the file it came from ("" when parsed from text)
  std::vector<std::string> variants, shapes;
  std::string preset;                                       // shapes = "llm"
  std::vector<std::pair<std::string, std::string>> params;  // name -> value text in --set syntax, in file order
  std::optional<std::vector<int>> threads;
  std::optional<std::vector<std::string>> pins, caches;  // pins: one policy or cpu list each
  std::optional<std::vector<std::int64_t>> aligns;
  std::optional<bool> no_prune;
  std::optional<int> repetitions;
  std::optional<double> min_time;
  std::optional<bool> calibrate;
  std::optional<std::string> counters;
  std::optional<Strategy> strategy;
  std::optional<Objective> objective;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> output;

  // What goes into the run's context: the path and every key given, laid out as in the file
  // ({"path", "sweep": {...}, "params": {...}, "axes": {...}}), values in their canonical text.
  nlohmann::ordered_json to_json() const;
  // The selection (variants, shapes or preset, params as --set values, no_prune) and the axes into
  // a request: only what the spec gives, so the request's defaults (or the command line's values)
  // stay for the rest.
  void fill(SweepRequest& r) const;
};

// Reads and validates a spec; throws SpecError (one line per error) naming the file.
SweepSpec read_spec(const std::string& path);
// The same from text; `name` stands for the file in messages (spec.path stays "").
SweepSpec parse_spec(std::string_view text, const std::string& name);

}  // namespace cromwell
