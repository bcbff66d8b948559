#pragma once
// Results files read back: a CSV (.csv) or JSON-lines (.jsonl) file of rows, and the context
// sidecar next to it (x.csv -> x.json) that carries the schema version. Every command that reads
// results (report, gate, merge, resume, decode --from) reads them here, never by parsing itself.
//
// A file whose context has no schema_version (or that has no context) is version 0: readable,
// without samples. A version this program does not know, a missing column, a truncated row or a
// cell that is not of its column's type is refused with a message naming the file, the line and
// the column.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/io/schema.hpp"

namespace cromwell {

struct ResultsFile {
  std::string path;
  int schema_version = 0;
  nlohmann::ordered_json context;  // the sidecar; null when there is none
  Columns columns;
  std::vector<Record> records;  // in file order
};

std::string context_path(const std::string& results_path);  // x.csv -> x.json, x.jsonl -> x.json
ResultsFile read_results(const std::string& path);

// For a resumed sweep, the one tolerance: a last line without its newline (a kill in the middle of
// a write) is cut from the file, and the returned text says so ("" when the file was whole). Every
// other reader stays strict.
std::string cut_incomplete_last_line(const std::string& path);

// Rows as the schema writes and reads them. The cells of one row as CSV text, in column order:
std::vector<std::string> row_cells(const Record& r, const std::vector<Column>& columns);
// A record from the cells of one row; `where` ("x.csv:12") prefixes error messages.
Record record_from_cells(const std::vector<Column>& columns, const std::vector<std::string>& cells,
                         const std::string& where);
// The dimension names used by a set of keys (to tell dimension columns from parameter columns).
std::vector<std::string> shape_names_of(const std::vector<std::string>& keys);

}  // namespace cromwell
