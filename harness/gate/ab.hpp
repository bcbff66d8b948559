#pragma once
// `cromwell gate --ab OLD NEW`: the mode that may fail a build on time. Two binaries (the base
// commit's build and the change's) run as worker processes (`_child -`, run/held.hpp), each
// holding prepared instances of the config; the gate asks them for one repetition at a time in
// ABBA order (A B | B A | A B …, each repetition ≤ 0.2 s), so both sides meet the same state of
// a shared host moments apart, never one whole sweep after the other. Instance k of each side
// serves rounds 2k·… in turn (three instances, as compare does: where pages land moves a DRAM-bound
// kernel by a few %); each instance's first repetition, which follows its preparation, is not
// kept. The statistic of a config is the mirrored median of the per-round
// log(new / old) with its block-bootstrap standard error (run/stats.hpp); rounds are added until
// the interval's half-width is at most τ/4 or the budget per config is spent. The decisions are
// rule.hpp's, Holm-adjusted over the configs.
#include <functional>
#include <string>
#include <vector>

#include "harness/core/config.hpp"
#include "harness/core/options.hpp"
#include "harness/gate/runs.hpp"

namespace cromwell {

struct AbOptions {
  std::string old_binary, new_binary;
  MeasureOptions measure;  // timing.min_time: the seconds of one repetition
  TimeRule rule;
  double budget_s = 10;    // per config: rounds stop being added once this much time has passed
  int min_rounds = 8;      // before the interval may stop the rounds
  double timeout_s = 120;  // a worker that does not answer one request within this is an error
};

struct AbConfig {
  std::string key;
  std::vector<double> old_ns, new_ns;  // per round, ns per call
  std::string error;                   // why the config was not compared (empty: compared)
  std::string failed_side;             // "old", "new" or "both" when a check failed or a side erred
  double seconds = 0;
  bool settled = false;  // the half-width reached τ/4
};

struct AbRun {
  std::vector<AbConfig> configs;
  GateResult gate;
};

// Throws std::invalid_argument when a binary cannot be started.
AbRun gate_ab(const std::vector<Config>& configs, const AbOptions& opt,
              const std::function<void(const AbConfig&)>& progress = {});

}  // namespace cromwell
