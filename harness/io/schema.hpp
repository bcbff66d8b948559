#pragma once
// The results schema: every column a results file can hold — name, type, unit, meaning, how it is
// written and how it is read — in one table. The CSV and JSON-lines writers and readers, the
// child-process protocol and docs/results-format.md all follow it (a test compares the doc).
//
// A file's columns depend on what it holds: the shape dimensions of its kernels, the parameters of
// its variants and the metric columns of its counter backend (`Columns`). The schema fixes the
// type and the order of every column:
//   key kernel variant status reason note | dims… | params… | threads pin cache align |
//   repetitions time_ns time_ns_min err_pct unstable gflops gbps steal_pct samples_ns spin_ns
//   pct_peak pct_machine bound calib calib_ns |
//   counters counters_scope counters_reason | metrics…
// Columns derived from the key (kernel, variant, dims, params, axes) are checked against it when a
// row is read; measured values are carried as read and never recomputed when a row is rewritten.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/core/record.hpp"

namespace cromwell {

// Version 0: files written before samples_ns existed (their context has no schema_version).
// Version 1: samples_ns.
// Version 2: on Zen, l3_* and dram_fills count lines from beyond L3 whoever asked for them (the
// demand-only values are the *_demand columns); sw context switches and migrations are counted
// (before, they read 0 whatever happened). read_results() gives older rows today's meaning.
// Version 3: `shard` (the shard of a sharded sweep that wrote the row).
// Version 4: `pct_peak`, `pct_machine` and `bound` (the row under the machine profile's roofline).
// Version 5: `calib` and `calib_ns` (the calibration kernel of `--calibrate`).
inline constexpr int kSchemaVersion = 5;

enum class ColumnType { text, integer, real, boolean, samples };
enum class Family { lead, dim, param, axis, measure, counter, metric };
std::string_view to_string(ColumnType);

// A cell: empty (std::monostate), or a value of the column's type.
using Value = std::variant<std::monostate, std::string, std::int64_t, double, bool, std::vector<double>>;

struct Column {
  std::string name;
  Family family = Family::lead;
  ColumnType type = ColumnType::text;
  std::string unit;     // "ns", "GB/s", "" for text
  std::string meaning;  // one line, as docs/results-format.md gives it
  std::string format;   // real and samples columns: the fmt spec of one number ("{:.1f}")
  int since = 0;        // the schema version that added it (older files may lack it)
  std::function<Value(const Record&)> get;
  // Stores a read value; throws std::invalid_argument when it contradicts the key of the row.
  std::function<void(Record&, const Value&)> set;
};

// What a file holds besides the fixed columns, in first-appearance order.
struct Columns {
  std::vector<std::string> dims, params, metrics;
  void add(const Columns& other);  // the union, keeping this one's order first
  bool operator==(const Columns&) const = default;
};

// The schema as documented: the fixed columns, with one entry standing for each family whose names
// a file chooses (dims, params, metrics).
const std::vector<Column>& schema();
// Every column of a file with these dims, params and metrics, in schema order.
std::vector<Column> columns_of(const Columns& c);
std::vector<std::string> header_of(const std::vector<Column>& columns);

// The schema as a Markdown table (column, type, unit, written as, meaning): what `cromwell list
// columns` prints and docs/results-format.md holds (a test compares them).
std::string schema_table();

// A cell as CSV text ("" when empty), and back; from_text throws std::invalid_argument saying what
// the text is not ("'abc' is not a number"). Numbers are parsed with std::from_chars.
std::string to_text(const Column& c, const Value& v);
Value from_text(const Column& c, std::string_view text);

// Sorts a file's header into the schema: fixed columns by name, shape dimensions and parameters
// (between note and threads) by `shape_names` (the dimension names the rows' keys use), metrics
// after counters_reason. Throws std::invalid_argument naming unknown or misplaced columns, and
// the columns that a file of `version` must have and lacks.
std::vector<Column> columns_from_header(const std::vector<std::string>& header,
                                        const std::vector<std::string>& shape_names, int version, Columns& out);

}  // namespace cromwell
