#pragma once
// Runs an expanded plan: calibration rows first, then every config in order; each record goes
// to every sink as soon as it exists.
#include <vector>

#include "harness/io/sink.hpp"
#include "harness/run/expand.hpp"
#include "harness/run/measure.hpp"

namespace cromwell {

struct RunSummary {
  std::vector<Record> records;  // measured rows (for the best-configuration table)
  int total = 0, measured = 0, rejected = 0, pruned = 0, unsupported = 0, failed = 0, errors = 0;
  std::string counts() const;  // "12 rows: 8 measured, 2 rejected, ..."
};

// `time` false: check only (no timing, no calibration).
RunSummary run_plan(const Plan& plan, const Measurer& m, const std::vector<Sink*>& sinks, bool time);

}  // namespace cromwell
