#pragma once
// CSV as RFC 4180 writes it: fields holding a comma, a double quote, CR or LF are quoted with their
// quotes doubled; records end with LF. Small and hand-written on purpose.
#include <string>
#include <string_view>
#include <vector>

#include "harness/io/results.hpp"

namespace cromwell {

std::string csv_escape(std::string_view field);
std::string csv_line(const std::vector<std::string>& fields);  // with the final LF

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;  // where the record starts (1-based)
};
// Throws std::invalid_argument("x.csv:12: truncated row: a quoted field is not closed").
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& path);

// Reads a results CSV written with schema version `version`.
ResultsFile read_csv(const std::string& path, int version);
// The same from text; `path` names it in messages (read_csv reads the file and calls this).
ResultsFile parse_results_csv(std::string_view text, const std::string& path, int version);

}  // namespace cromwell
