#pragma once
// A run against a baseline run (`report --baseline OTHER.csv`): per configuration measured in
// both, the change of its median time with a confidence interval from the two runs' repetitions
// (run/stats.hpp: run_change, the statistic the CI gate uses), and the median change of all of
// them — what a slower or faster host that day did to every config alike.
#include <string>
#include <vector>

#include "harness/core/record.hpp"
#include "harness/report/table.hpp"
#include "harness/run/stats.hpp"

namespace cromwell {

struct Change {
  const Record* base = nullptr;
  const Record* now = nullptr;
  Ratio speedup;  // base time / today's time: > 1 faster today
};

enum class Verdict { faster, slower, same };
Verdict verdict_of(const Ratio& r);  // faster or slower when the interval excludes 1

// Configs (by key, calibration rows aside) measured in both, with samples on both sides, slowest
// change first.
std::vector<Change> changes_between(const std::vector<Record>& base, const std::vector<Record>& now);

// The section of the report: a table of the changed configs (and the unchanged, up to `rows`),
// the counts, and the median change.
std::string render_changes(TextFormat f, const std::vector<Change>& changes, const std::string& base_name,
                           std::size_t rows);

}  // namespace cromwell
