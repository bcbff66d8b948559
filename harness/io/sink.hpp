#pragma once
// Sinks: where records go as soon as they exist. The CSV and JSON-lines sinks write the schema's
// columns (schema.hpp) and flush every row, so an interrupted sweep keeps every finished row.
#include <memory>
#include <string>

#include "harness/core/record.hpp"
#include "harness/io/schema.hpp"

namespace cromwell {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const Record& r) = 0;
  virtual void finish() {}
};

// RFC 4180 CSV: the header at once, then each row, flushed.
std::unique_ptr<Sink> csv_sink(const std::string& path, const Columns& cols);
// One JSON object per line with the same columns.
std::unique_ptr<Sink> jsonl_sink(const std::string& path, const Columns& cols);

}  // namespace cromwell
