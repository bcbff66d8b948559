#pragma once
// Runs an expanded plan: calibration rows first, then every config in order; each record goes
// to every sink as soon as it exists.
#include <cstdio>
#include <functional>
#include <vector>

#include "harness/io/sink.hpp"
#include "harness/run/measure.hpp"
#include "harness/run/sweep.hpp"

namespace cromwell {

struct RunSummary {
  std::vector<Record> records;  // measured rows only (for the summary table)
  int total = 0, measured = 0, rejected = 0, pruned = 0, unsupported = 0, failed = 0, errors = 0;
};

// `time` false: check only (no timing, no calibration).
RunSummary run_plan(const Plan& plan, const MeasureOptions& opt, const std::vector<Sink*>& sinks, bool time);

// Best measured config per variant (highest GFLOP/s, else GB/s, else lowest time), with its
// speed relative to the naive variant of its kernel at the same shape and threads.
void print_best(std::FILE* out, const RunSummary& s);

}  // namespace cromwell
