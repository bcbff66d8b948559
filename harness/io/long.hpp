#pragma once
// Results in long (tidy) form, for tools that want one observation per row: per configuration and
// measured quantity, the identifying columns of the wide file (key, kernel, variant, status, shape
// dimensions, parameters, threads, pin, cache, align), then `quantity`, `repetition` (1, 2, … for
// samples_ns, else empty), `value` and `unit`. The quantities are the real-valued columns of the
// schema (time_ns … spin_ns, samples_ns per repetition) and every metric column. Only values
// present are written: a missing one is unavailable, and the wide file says why.
#include <string>
#include <vector>

#include "harness/io/results.hpp"

namespace cromwell {

// The long form of `files` (their columns united) as CSV text, header first.
std::string long_csv(const std::vector<ResultsFile>& files);

}  // namespace cromwell
