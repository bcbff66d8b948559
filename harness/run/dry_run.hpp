#pragma once
// `sweep --dry-run`: what a sweep would do, without doing it — the configs it would run, the
// rejected and pruned ones grouped by reason, and an estimate of its duration.
#include <cstdio>

#include "harness/core/options.hpp"
#include "harness/run/runner.hpp"

namespace cromwell {

struct DurationModel {
  TimingOptions timing;
  double per_config_s = 0.1;  // check, warm-up and the harness's own work, per measured config
  double extra_s = 0;         // per config: the isolated worker's round trip (--isolate), a simulation (sim counters)
};

// Seconds the plan should take: each config to run costs repetitions × min_time and the model's
// overheads.
double estimate_seconds(std::size_t configs_to_run, std::size_t calibrations, const DurationModel& m);

// `strategy`: as the user gave it (random:N has already chosen its configs).
void print_dry_run(std::FILE* out, const Plan& plan, const RunOptions& opt, const std::string& strategy,
                   const DurationModel& m);

}  // namespace cromwell
