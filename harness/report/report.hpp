#pragma once
// `cromwell report`: what a sweep decided, read back from its results files — per kernel, each
// variant's best configuration with its speed-up over naive and its cache miss rates, the L3
// miss-rate report, and what was not measured and why — on a terminal, as Markdown or as the body of
// an HTML page (report/html.hpp).
#include <string>
#include <vector>

#include "harness/io/results.hpp"
#include "harness/report/table.hpp"

namespace cromwell {

struct Confirmation;

struct ReportOptions {
  TextFormat format = TextFormat::term;
  std::size_t l3_rows = 10;                 // rows of each L3 ranking shown: the highest rates, then the lowest
  const Confirmation* confirmed = nullptr;  // speed-ups re-measured interleaved (--confirm), if any
  const ResultsFile* baseline = nullptr;    // the run to compare with (--baseline), if any
  std::string profile_path = {};            // machine profile (docs/plots.md): the roofline's ceilings; empty: none
};

std::string render_report(const std::vector<ResultsFile>& files, const ReportOptions& opt);

}  // namespace cromwell
