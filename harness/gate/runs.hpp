#pragma once
// `cromwell gate --baseline B.csv --candidate C.csv`: two results files, matched by configuration
// key, judged per configuration and metric (rule.hpp).
//
// - Counts (instructions, and the simulated *_misses, *_accesses, *_fills of `--counters sim`) are
//   deterministic for one compiler, flags and simulator: they decide, and may fail the gate.
// - Times of two separate runs differ by what the host did that day (10–40 % here, every config
//   alike): they are judged by the same rule but only warn — unless `normalize`: when both runs
//   were swept with --calibrate (run/calibration.hpp) and a config's calibration kernel drifted
//   between them by less than τ/4, each repetition's time is divided by the calibration's after
//   it, and the change of these normalized times decides like a count.
// - A config measured in the baseline that failed its check or erred in the candidate regressed.
// - A metric whose fingerprint (fingerprint.hpp) differs between the files is not compared; the
//   gate says which field differs.
// Calibration rows (kernel noop) and rows that were not measured in the baseline are left out.
#include <optional>
#include <string>
#include <vector>

#include "harness/gate/rule.hpp"
#include "harness/io/results.hpp"

namespace cromwell {

struct GateOptions {
  TimeRule time;
  CountRule count;
  std::vector<std::string> metrics;  // names to judge ("time", "instructions", …); empty: all
  bool allow_missing = false;        // configs missing from the candidate do not fail the gate
  bool normalize = false;            // times normalized by their calibration may fail the gate
};

struct GateLine {
  std::string key, metric;  // metric: "time", a count's column, or "status"
  Decision decision = Decision::unchanged;
  std::optional<double> baseline, candidate;  // the values compared (time: median ns per call)
  TimeDecision time;                          // for metric "time"
  bool gating = false;                        // a regression here fails the gate
  std::string note;                           // why a status regressed, what would settle it
};

struct GateResult {
  std::string baseline_path, candidate_path;
  std::vector<GateLine> lines;        // regressions first, then inconclusive, improved, new, missing, unchanged
  std::vector<std::string> refusals;  // metrics not compared, and why
  std::size_t overlap = 0;            // configs measured in both
  GateOptions options;
  bool interleaved = false;  // times from interleaved A/B rounds (gate --ab): they decide
  bool failed() const;       // a gating regression, or a missing config without allow_missing
};

// Throws std::invalid_argument when no configuration was measured in both files or when a metric
// asked for is in neither.
GateResult gate_runs(const ResultsFile& baseline, const ResultsFile& candidate, const GateOptions& opt);

// Orders the lines: gating regressions first, then missing, inconclusive, improved, new, unchanged.
void sort_lines(GateResult& g);

// Whether a metric column holds a count (instructions, *_misses, *_accesses, *_fills).
bool is_count_metric(const std::string& name);

}  // namespace cromwell
