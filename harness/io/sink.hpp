#pragma once
// Sinks: where records go as soon as they exist. The CSV and JSON-lines sinks write the schema's
// columns (schema.hpp), each row in one write as soon as it exists, so an interrupted sweep keeps
// every finished row; they fsync every few seconds and at the end.
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

// RFC 4180 CSV: the header at once (unless appending to a file that has rows), then each row.
// `append`: continue the file (a resumed sweep), else replace it.
std::unique_ptr<Sink> csv_sink(const std::string& path, const Columns& cols, bool append = false);
// One JSON object per line with the same columns.
std::unique_ptr<Sink> jsonl_sink(const std::string& path, const Columns& cols, bool append = false);

}  // namespace cromwell
