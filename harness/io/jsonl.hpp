#pragma once
// JSON lines: one object per row, the schema's column names as keys in schema order, empty cells
// as null, samples as an array. Also the reply of a child process (one line).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/io/results.hpp"

namespace cromwell {

nlohmann::ordered_json row_json(const Record& r, const std::vector<Column>& columns);
std::string json_line(const Record& r, const std::vector<Column>& columns);  // without the final LF
// A record from one line; its columns come from the object's names. `where` prefixes messages.
Record record_from_json_line(std::string_view line, int version, const std::string& where, Columns* columns = nullptr);

ResultsFile read_jsonl(const std::string& path, int version);

}  // namespace cromwell
