#pragma once
// Sinks: where records go. Each writes a record as soon as it exists (and flushes).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/record.hpp"

namespace cromwell {

// The columns of a sweep, fixed before the first row (docs/results-format.md gives the rule):
// key, kernel, variant, status, reason, then shape dims, params, axes, then measurement, counter
// and metric columns.
struct Columns {
  std::vector<std::string> dims;     // union over selected kernels, first-appearance order
  std::vector<std::string> params;   // union over selected variants, first-appearance order
  std::vector<std::string> metrics;  // counter and metric columns
  std::vector<std::string> header() const;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const Record& r) = 0;
  virtual void finish() {}
};

// Aligned table on a stream, with an "unstable" marker (and its remedy, once) above 5 % err.
std::unique_ptr<Sink> console_sink(std::FILE* out, const Columns& cols);
// RFC 4180 CSV; the header is written at once; each row is flushed as it is written.
std::unique_ptr<Sink> csv_sink(const std::string& path, const Columns& cols);
// One JSON object per line, same fields as the CSV.
std::unique_ptr<Sink> jsonl_sink(const std::string& path, const Columns& cols);

// The values of one row, in header order (empty string = empty cell).
std::vector<std::string> row_values(const Record& r, const Columns& cols);
std::string csv_escape(const std::string& field);

}  // namespace cromwell
