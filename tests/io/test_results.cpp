// The results layer: rows written by the CSV and JSON-lines writers read back exactly (write → read
// → write gives the same bytes) for every status, quoted fields, empty and unavailable cells and
// samples; Python's csv module, pandas and json read the files as they are; the readers refuse a
// truncated row, an unknown schema version and a missing column with messages that name them.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/io/context.hpp"
#include "harness/io/csv.hpp"
#include "harness/io/jsonl.hpp"
#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"
#include "harness/run/stats.hpp"

using namespace cromwell;
namespace fs = std::filesystem;

namespace {

// A fresh directory, removed with everything in it when the test case ends.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("cromwell-io-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

int python(const std::string& args) { return std::system((std::string(CROMWELL_PYTHON) + " " + args).c_str()); }

const Columns kColumns{{"m", "n", "k"}, {"tile", "mc"}, {"l3_miss_rate", "ipc"}};

// Rows of every status, with texts that need quoting or escaping in keys, params, pins, reasons
// and notes, empty and unavailable cells, samples, and metrics with and without values.
std::vector<Record> adversarial_records() {
  std::vector<Record> out;
  const std::vector<std::string> nasty = {
      "plain",          "a,b", "say \"hi\"", "line\nbreak", "cr\rlf\r\n", " leading space",
      "ünïcødé ≥ 1 µs", "",    "trailing,",  "\"\"",        "tab\there",  "%2C,/:"};
  const Status statuses[] = {Status::rejected, Status::measured, Status::pruned, Status::unsupported,
                             Status::failed,   Status::measured, Status::error,  Status::measured};
  for (std::size_t i = 0; i < nasty.size(); ++i) {
    const std::string& text = nasty[i];
    const int n = static_cast<int>(i);
    Record r;
    ParamValues params{{{"tile", text}}};
    if (i % 4 == 3) params.items.push_back({"mc", "144"});
    r.config = Config{"gemm", i % 5 == 4 ? "odd,variant" : "naive", Dims{{{"m", n + 1}, {"n", 2}, {"k", 3}}}, params,
                      Axes{1 + n % 3, i % 2 ? "0,2,4-7" : "compact", i % 3 ? "hot" : "cold", n % 2 ? 4 : 0}};
    r.status = statuses[i % std::size(statuses)];
    r.note = text;
    if (r.status != Status::measured) r.reason = text;
    if (r.status == Status::measured) {
      r.samples_ns = {1000.0 + n, 1010.25 + n, 990.0 + n / 3.0, 1e9 / 7};
      summarize(r, 2e6, 3e3);
      if (i == 1) r.steal_pct = 0.123;
      r.spin_ns = i == 1 ? 0.0 : 12.25 + n;  // 0 is a value (no wait spun), written as such
      if (i % 2) {
        r.calib = "read.avx2.L2";
        r.calib_ns = {500.5 + n, 501.25, 499.0, 1e9 / 3};
      }
      r.counters_source = "perf:zen3";
      r.counters_scope = text;
      r.metrics = {{"l3_miss_rate", std::nullopt, "no PMU here, " + text}, {"ipc", 1.0 / 3 + n, ""}};
      r.counters_reason = reasons_of(r.metrics);
    }
    out.push_back(r);
  }
  Record noop;  // a calibration row: no shape, no params
  noop.config.kernel = "noop";
  noop.config.variant = "forkjoin";
  noop.samples_ns = {5.5, 5.75};
  summarize(noop, 0, 0);
  noop.spin_ns = 401.75;
  noop.counters_source = "none";
  out.insert(out.begin(), noop);
  return out;
}

std::unique_ptr<Sink> csv_file(const std::string& p, const Columns& c) { return csv_sink(p, c); }
std::unique_ptr<Sink> jsonl_file(const std::string& p, const Columns& c) { return jsonl_sink(p, c); }

template <class MakeSink>
void write_all(const std::string& path, const Columns& cols, const std::vector<Record>& records, MakeSink make) {
  auto sink = make(path, cols);
  for (const auto& r : records) sink->write(r);
}

void write_version(const std::string& results_path, int version) {
  spit(context_path(results_path), nlohmann::json{{"schema_version", version}}.dump());
}

}  // namespace

TEST_CASE("every column of the schema has a type, a meaning and a writer") {
  for (const auto& c : columns_of(kColumns)) {
    INFO(c.name);
    CHECK(c.get);
    CHECK(c.set);
  }
  for (const auto& c : schema()) {
    INFO(c.name);
    CHECK(!c.meaning.empty());
  }
}

TEST_CASE("CSV: write, read, write gives identical bytes") {
  const TempDir dir;
  const auto records = adversarial_records();
  const std::string a = dir / "a.csv", b = dir / "b.csv";
  write_all(a, kColumns, records, csv_file);
  write_version(a, kSchemaVersion);
  const ResultsFile f = read_results(a);
  CHECK(f.schema_version == kSchemaVersion);
  CHECK(f.columns == kColumns);
  REQUIRE(f.records.size() == records.size());
  write_all(b, f.columns, f.records, csv_file);
  CHECK(slurp(a) == slurp(b));

  for (std::size_t i = 0; i < records.size(); ++i) {
    const Record &w = records[i], &r = f.records[i];
    INFO(w.config.key());
    CHECK(r.config == w.config);
    CHECK(r.status == w.status);
    CHECK(r.reason == w.reason);
    CHECK(r.note == w.note);
    CHECK(r.samples_ns.size() == w.samples_ns.size());
    for (std::size_t s = 0; s < w.samples_ns.size(); ++s)
      CHECK(r.samples_ns[s] == Approx(w.samples_ns[s]).margin(0.05));
    CHECK(r.calib == w.calib);
    REQUIRE(r.calib_ns.size() == w.calib_ns.size());
    for (std::size_t s = 0; s < w.calib_ns.size(); ++s) CHECK(r.calib_ns[s] == Approx(w.calib_ns[s]).margin(0.05));
    CHECK(r.time_ns.has_value() == w.time_ns.has_value());
    CHECK(r.steal_pct.has_value() == w.steal_pct.has_value());
    REQUIRE(r.spin_ns.has_value() == w.spin_ns.has_value());
    if (w.spin_ns) CHECK(*r.spin_ns == Approx(*w.spin_ns).margin(0.05));
    CHECK(r.counters_reason == w.counters_reason);
  }
}

TEST_CASE("JSON lines: write, read, write gives identical bytes and the same values as the CSV") {
  const TempDir dir;
  const auto records = adversarial_records();
  const std::string csv = dir / "x.csv", a = dir / "a.jsonl", b = dir / "b.jsonl";
  write_all(a, kColumns, records, jsonl_file);
  write_all(csv, kColumns, records, csv_file);
  write_version(a, kSchemaVersion);
  const ResultsFile f = read_results(a);
  REQUIRE(f.records.size() == records.size());
  write_all(b, f.columns, f.records, jsonl_file);
  CHECK(slurp(a) == slurp(b));
  // Read from JSON, written as CSV: the CSV written directly.
  const std::string csv2 = dir / "y.csv";
  write_all(csv2, f.columns, f.records, csv_file);
  CHECK(slurp(csv2) == slurp(csv));
  // Python's json reads it: samples are an array, missing values null, booleans booleans.
  const std::string py = dir / "check.py";
  spit(py,
       "import json,sys\n"
       "rows=[json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]\n"
       "assert len(rows)==13, len(rows)\n"
       "assert rows[0]['key'].startswith('noop.forkjoin/'), rows[0]\n"
       "assert rows[1]['time_ns'] is None and rows[2]['time_ns'] > 0\n"
       "assert rows[2]['unstable'] is False and rows[2]['samples_ns'][1] == 1011.2, rows[2]['samples_ns']\n"
       "assert rows[4]['note']=='line\\nbreak', rows[4]['note']\n"
       "assert rows[2]['l3_miss_rate'] is None and rows[2]['ipc'] > 1.3\n"
       "assert rows[0]['spin_ns'] == 401.8 and rows[1]['spin_ns'] is None and rows[2]['spin_ns'] == 0\n");
  CHECK(python(py + " " + a) == 0);
}

TEST_CASE("CSV rows read back identically with Python's csv module and pandas") {
  const TempDir dir;
  const auto records = adversarial_records();
  const std::string csv = dir / "rows.csv", expected = dir / "expected.json";
  {
    auto sink = csv_sink(csv, kColumns);
    const auto cols = columns_of(kColumns);
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < records.size(); ++i) {
      sink->write(records[i]);
      rows.push_back(row_cells(records[i], cols));
      if (i == 0) CHECK(slurp(csv).find("noop.forkjoin/") != std::string::npos);  // flushed row by row
    }
    spit(expected, nlohmann::json{{"header", header_of(cols)}, {"rows", rows}}.dump());
  }
  CHECK(python(std::string(CROMWELL_SOURCE_DIR) + "/tests/io/csv_readback.py " + csv + " " + expected) == 0);
  // Missing values are empty cells, never 0.
  const auto cols = columns_of(kColumns);
  const auto rejected = row_cells(records[1], cols);
  const auto header = header_of(cols);
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == "time_ns" || header[c] == "gflops" || header[c] == "l3_miss_rate" || header[c] == "mc" ||
        header[c] == "samples_ns" || header[c] == "spin_ns")
      CHECK(rejected[c].empty());
}

TEST_CASE("derived columns are carried as read, never recomputed") {
  const TempDir dir;
  const std::string a = dir / "a.csv", b = dir / "b.csv";
  write_all(a, kColumns, adversarial_records(), csv_file);
  write_version(a, kSchemaVersion);
  // Change one row's gflops by hand: it no longer agrees with its time, and must stay so.
  std::string text = slurp(a);
  const auto row = text.find("\n\"gemm.naive/m:2,");
  REQUIRE(row != std::string::npos);
  const auto cols = columns_of(kColumns);
  const auto header = header_of(cols);
  const auto records = read_results(a).records;
  const auto cells = row_cells(records[2], cols);
  const std::size_t g = std::find(header.begin(), header.end(), "gflops") - header.begin();
  const auto at = text.find("," + cells[g] + ",", row);
  REQUIRE(at != std::string::npos);
  text.replace(at + 1, cells[g].size(), "99.99");
  spit(a, text);
  const ResultsFile f = read_results(a);
  CHECK(*f.records[2].gflops == 99.99);
  write_all(b, f.columns, f.records, csv_file);
  CHECK(slurp(b) == text);
}

TEST_CASE("readers refuse what they cannot read, naming the file, the line and the column") {
  const TempDir dir;
  const std::string good = dir / "good.csv";
  write_all(good, kColumns, adversarial_records(), csv_file);
  const std::string text = slurp(good);
  const auto second_row = text.find('\n', text.find('\n') + 1) + 1;

  SECTION("a truncated row") {
    const std::string p = dir / "t.csv";
    // The header and the first row without its last two cells.
    const std::string first = text.substr(0, second_row - 1);
    spit(p, first.substr(0, first.rfind(',', first.rfind(',') - 1)) + "\n");
    CHECK_THROWS_WITH(read_results(p), Catch::Contains("t.csv:2: truncated row: 34 of 36 fields"));
  }
  SECTION("a row cut inside a quoted field") {
    const std::string p = dir / "q.csv";
    spit(p, text.substr(0, second_row + 5));
    CHECK_THROWS_WITH(read_results(p), Catch::Contains("q.csv:3: truncated row: a quoted field is not closed"));
  }
  SECTION("a truncated JSON line") {
    const std::string p = dir / "t.jsonl";
    write_all(p, kColumns, adversarial_records(), jsonl_file);
    const std::string lines = slurp(p);
    spit(p, lines.substr(0, lines.find('\n') + 30));
    CHECK_THROWS_WITH(read_results(p), Catch::Contains("t.jsonl:2: truncated or malformed row"));
  }
  SECTION("an unknown schema version") {
    const std::string p = dir / "v.csv";
    spit(p, text);
    write_version(p, kSchemaVersion + 1);
    CHECK_THROWS_WITH(read_results(p),
                      Catch::Contains(fmt::format("v.json: schema_version {} is not known", kSchemaVersion + 1)) &&
                          Catch::Contains(fmt::format("reads versions 0 to {}", kSchemaVersion)));
  }
  SECTION("a missing column") {
    const std::string p = dir / "m.csv";
    std::vector<std::string> lines;
    std::istringstream in(text);
    // Drop the status column from the header only: the reader must name it.
    std::string header;
    std::getline(in, header);
    const auto at = header.find(",status,");
    spit(p, header.substr(0, at) + header.substr(at + 7) + "\n");
    write_version(p, kSchemaVersion);
    CHECK_THROWS_WITH(read_results(p), Catch::Contains("m.csv:1: missing column(s) status"));
  }
  SECTION("a version 1 file without samples_ns") {
    const std::string p = dir / "s.csv";
    spit(p,
         "key,kernel,variant,status,reason,note,threads,pin,cache,align,repetitions,time_ns,time_ns_min,err_pct,"
         "unstable,gflops,gbps,steal_pct,counters,counters_scope,counters_reason\n");
    write_version(p, 1);
    CHECK_THROWS_WITH(read_results(p), Catch::Contains("missing column(s) samples_ns (schema version 1"));
  }
  SECTION("a cell that is not a number") {
    const std::string p = dir / "n.csv";
    std::string bad = text;
    const auto at = bad.find(",5.6,", 0);
    REQUIRE(at != std::string::npos);
    bad.replace(at + 1, 3, "abc");
    spit(p, bad);
    CHECK_THROWS_WITH(read_results(p), Catch::Contains("n.csv:2: column time_ns: 'abc' is not a finite number"));
  }
  SECTION("a cell that contradicts the key") {
    const std::string p = dir / "k.csv";
    std::string bad = text;
    const auto at = bad.find(",gemm,naive,", second_row);
    bad.replace(at + 1, 4, "gemv");
    spit(p, bad);
    CHECK_THROWS_WITH(read_results(p),
                      Catch::Contains("k.csv:3: column kernel: 'gemv' contradicts the key, which says 'gemm'"));
  }
  SECTION("no such file") {
    CHECK_THROWS_WITH(read_results(dir / "none.csv"), Catch::Contains("none.csv: no such file"));
  }
}

TEST_CASE("a file written before schema versions (version 0) reads back without samples") {
  const std::string v0 = std::string(CROMWELL_SOURCE_DIR) + "/tests/io/data/v0.csv";
  const ResultsFile f = read_results(v0);
  CHECK(f.schema_version == 0);
  CHECK(f.context["counters_backend"] == "sw");
  CHECK(f.columns.dims == std::vector<std::string>{"m", "n", "k"});
  CHECK(f.columns.params == std::vector<std::string>{"mc", "kc", "nc", "tile"});
  CHECK(f.columns.metrics ==
        std::vector<std::string>{"task_clock_ns", "page_faults", "context_switches", "cpu_migrations"});
  REQUIRE(f.records.size() == 5);
  CHECK(f.records[0].config.kernel == "noop");
  CHECK(f.records[2].status == Status::rejected);
  CHECK(f.records[2].reason == "mc=7 must be a multiple of MR=6");
  CHECK(*f.records[1].time_ns == 173.0);
  CHECK(f.records[1].samples_ns.empty());
  // Written again with the columns it had, it is the same file plus the columns of later versions.
  const TempDir dir;
  write_all(dir / "again.csv", f.columns, f.records, csv_file);
  std::string expected = slurp(v0);
  std::string again = slurp(dir / "again.csv");
  std::string::size_type at;
  while ((at = again.find(",samples_ns")) != std::string::npos) again.erase(at, 11);
  while ((at = again.find(",spin_ns")) != std::string::npos) again.erase(at, 8);
  while ((at = again.find(",shard")) != std::string::npos) again.erase(at, 6);
  while ((at = again.find(",pct_peak,pct_machine,bound")) != std::string::npos) again.erase(at, 27);
  while ((at = again.find(",calib,calib_ns")) != std::string::npos) again.erase(at, 15);
  std::istringstream a(again), e(expected);
  std::string la, le;
  std::getline(a, la);
  std::getline(e, le);
  CHECK(la == le);
}

TEST_CASE("rows of an older version are read in today's meaning of their counter columns") {
  const TempDir dir;
  Record zen;
  zen.config = Config{"read", "avx2", Dims{{{"bytes", 64}}}, {}, Axes{1, "none", "cold", 0}};
  zen.status = Status::measured;
  zen.samples_ns = {10, 11};
  summarize(zen, 0, 64);
  zen.counters_source = "perf:zen3";
  zen.metrics = {{"l3_misses", 0.02, ""}, {"l3_miss_rate", 0.01, ""}, {"dram_fills", 0.5, ""}, {"ipc", 1.5, ""}};
  Record sw = zen;
  sw.config.variant = "naive";
  sw.counters_source = "sw";
  sw.metrics = {{"task_clock_ns", 10, ""}, {"context_switches", 0, ""}, {"cpu_migrations", 0, ""}};
  const Columns cols{
      {"bytes"},
      {},
      {"l3_misses", "l3_miss_rate", "dram_fills", "ipc", "task_clock_ns", "context_switches", "cpu_migrations"}};
  const std::string p = dir / "v1.csv";
  write_all(p, cols, {zen, sw}, csv_file);
  write_version(p, 1);
  const ResultsFile f = read_results(p);
  REQUIRE(f.records.size() == 2);
  std::map<std::string, Metric> z, s;
  for (const auto& m : f.records[0].metrics) z[m.name] = m;
  for (const auto& m : f.records[1].metrics) s[m.name] = m;
  // Zen's demand-only L3 values are the *_demand columns now; dram_fills meant something else.
  CHECK(*z.at("l3_misses_demand").value == 0.02);
  CHECK(*z.at("l3_miss_rate_demand").value == 0.01);
  CHECK(!z.count("l3_misses"));
  CHECK(!z.at("dram_fills").value);
  CHECK_THAT(z.at("dram_fills").reason, Catch::Contains("without the lines the L2 prefetcher brought"));
  CHECK_THAT(f.records[0].counters_reason, Catch::Contains("dram_fills: before schema version 2"));
  CHECK(*z.at("ipc").value == 1.5);
  // The software zeros were never counted.
  CHECK(*s.at("task_clock_ns").value == 10);
  CHECK(!s.at("context_switches").value);
  CHECK(!s.at("cpu_migrations").value);
  CHECK_THAT(s.at("context_switches").reason, Catch::Contains("the 0 was not counted"));
  // The software row still has (empty) cells for the old names.
  CHECK(f.columns.metrics == std::vector<std::string>{"l3_misses_demand", "l3_miss_rate_demand", "dram_fills", "ipc",
                                                      "task_clock_ns", "context_switches", "cpu_migrations",
                                                      "l3_misses", "l3_miss_rate"});
  // The same file as version 2 is read as written.
  write_version(p, 2);
  CHECK(read_results(p).columns == cols);
}

TEST_CASE("spin_ns is required from schema version 2 on and read where an older file has it") {
  std::vector<std::string> header = header_of(columns_of({}));
  const auto spin = std::find(header.begin(), header.end(), "spin_ns");
  REQUIRE(spin != header.end());
  CHECK(*(spin - 1) == "samples_ns");
  CHECK(*(spin + 1) == "pct_peak");
  Columns found;
  CHECK(columns_from_header(header, {}, 1, found).size() == header.size());
  header.erase(spin);
  CHECK(columns_from_header(header, {}, 1, found).size() == header.size());
  CHECK_THROWS_WITH(columns_from_header(header, {}, 2, found),
                    Catch::Contains("missing column(s) spin_ns (schema version 2 requires them)"));
}

TEST_CASE("the context names the schema version and parses as JSON") {
  const TempDir dir;
  ContextExtras extras;
  extras.command_line = "cromwell sweep 'gemm.*' --set \"tile=64\"";
  extras.cold_bytes = 1 << 20;
  write_context(dir / "x.json", extras);
  const auto c = nlohmann::json::parse(slurp(dir / "x.json"));
  CHECK(c["schema_version"] == kSchemaVersion);
  for (const char* k : {"host", "cpu", "isa", "topology", "caches", "transparent_hugepages", "mxcsr",
                        "perf_event_paranoid", "nmi_watchdog", "compiler", "build_type", "build_flags", "openblas",
                        "cromwell", "date", "command_line", "cold_bytes"})
    CHECK(c.contains(k));
  CHECK(c["command_line"] == extras.command_line);
}
