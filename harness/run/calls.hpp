#pragma once
// A config run `calls` times outside any timing loop, after preparation (prepare.hpp), as one
// region that callgrind collects (client requests; no-ops natively): what `cromwell run` does for
// a debugger or a profiler, and what the simulated counters run under valgrind.
#include <string>

#include "harness/core/options.hpp"
#include "harness/core/registry.hpp"

namespace cromwell {

struct CallsResult {
  Check check;  // the result's check (pass when not checked)
  bool checked = false;
  long calls = 0;
  double ns = 0;                                      // wall time of the region
  Work work;                                          // of one call
  std::string summary(const std::string& key) const;  // one line for the user
};

// Throws std::invalid_argument when the CPU lacks the variant's ISA or calls < 1.
CallsResult run_calls(const Config& c, const VariantEntry& v, long calls, bool check, const MeasureOptions& opt);

}  // namespace cromwell
