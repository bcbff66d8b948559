// CSV and JSON-lines sinks read back by Python's csv module, pandas and json on adversarial keys
// and reasons; rows are on disk as soon as they are written; missing values are empty, never 0.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/core/record.hpp"
#include "harness/io/context.hpp"
#include "harness/io/json.hpp"
#include "harness/io/sink.hpp"
#include "harness/platform/steal.hpp"

using namespace cromwell;
namespace fs = std::filesystem;

namespace {

fs::path temp(const std::string& name) {
  return fs::temp_directory_path() / ("cromwell-csv-" + std::to_string(getpid()) + "-" + name);
}

std::string json_array(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + json_string(v[i]);
  return s + "]";
}

int python(const std::string& args) { return std::system((std::string(CROMWELL_PYTHON) + " " + args).c_str()); }

std::vector<Record> adversarial_records() {
  std::vector<Record> out;
  const std::vector<std::string> nasty = {
      "plain",          "a,b", "say \"hi\"", "line\nbreak", "cr\rlf\r\n", " leading space",
      "ünïcødé ≥ 1 µs", "",    "trailing,",  "\"\""};
  int i = 0;
  for (const auto& text : nasty) {
    Record r;
    r.config = Config{"gemm", "naive", Dims{{{"m", i + 1}, {"n", 2}, {"k", 3}}}, ParamValues{{{"tile", text}}},
                      Axes{1 + i % 3, i % 2 ? "0,2,4-7" : "compact", "hot", i % 2 ? 4 : 0}};
    r.status = i % 3 ? Status::measured : Status::rejected;
    r.reason = r.status == Status::measured ? "" : text;
    r.note = text;
    if (r.status == Status::measured) {
      r.samples_ns = {1000.0 + i, 1010.0 + i, 990.0 + i};
      summarize(r, 2e6, 3e3);
      r.counters_source = "none";
      r.metrics = {{"l3_miss_rate", std::nullopt, "no PMU here"}};
      if (i == 1) r.metrics[0] = {"l3_miss_rate", 0.25, ""};
    }
    out.push_back(r);
    ++i;
  }
  return out;
}

}  // namespace

TEST_CASE("CSV rows read back identically with csv and pandas") {
  Columns cols;
  cols.dims = {"m", "n", "k"};
  cols.params = {"tile", "mc"};
  cols.metrics = {"l3_miss_rate"};
  const fs::path csv = temp("rows.csv"), expected = temp("expected.json");
  const auto records = adversarial_records();
  {
    auto sink = csv_sink(csv.string(), cols);
    std::string rows;
    for (std::size_t i = 0; i < records.size(); ++i) {
      sink->write(records[i]);
      rows += (i ? "," : "") + json_array(row_values(records[i], cols));
      if (i == 0) {  // flushed row by row: the first row is on disk while the sink is open
        std::ifstream in(csv);
        std::stringstream s;
        s << in.rdbuf();
        CHECK(s.str().find("gemm.naive/") != std::string::npos);
      }
    }
    std::ofstream(expected) << "{\"header\":" << json_array(cols.header()) << ",\"rows\":[" << rows << "]}";
  }
  CHECK(python(std::string(CROMWELL_SOURCE_DIR) + "/tests/io/csv_readback.py " + csv.string() + " " +
               expected.string()) == 0);
  // Missing values are empty cells, never 0.
  const auto rejected = row_values(records[0], cols);
  const auto header = cols.header();
  for (std::size_t c = 0; c < header.size(); ++c)
    if (header[c] == "time_ns" || header[c] == "gflops" || header[c] == "l3_miss_rate" || header[c] == "mc")
      CHECK(rejected[c].empty());
  fs::remove(csv);
  fs::remove(expected);
}

TEST_CASE("JSON lines and the context parse as JSON") {
  Columns cols;
  cols.dims = {"m", "n", "k"};
  cols.params = {"tile"};
  const fs::path lines = temp("rows.jsonl"), ctx = temp("context.json");
  {
    auto sink = jsonl_sink(lines.string(), cols);
    for (const auto& r : adversarial_records()) sink->write(r);
  }
  ContextExtras extras;
  extras.command_line = "cromwell sweep 'gemm.*' --set \"tile=64\"";
  write_context(ctx.string(), extras);
  const std::string script =
      "import json,sys\n"
      "rows=[json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]\n"
      "assert len(rows)==10, len(rows)\n"
      "assert rows[3]['note']=='line\\nbreak', rows[3]['note']\n"
      "assert rows[0]['time_ns'] is None and rows[1]['time_ns'] > 0\n"
      "assert rows[1]['unstable'] is False\n"
      "c=json.load(open(sys.argv[2], encoding='utf-8'))\n"
      "for k in ['host','cpu','isa','topology','caches','transparent_hugepages','mxcsr','perf_event_paranoid',"
      "'nmi_watchdog','compiler','build_type','build_flags','openblas','cromwell','date','command_line']:\n"
      "    assert k in c, k\n"
      "assert c['command_line'].endswith('\"tile=64\"')\n";
  const fs::path py = temp("check.py");
  std::ofstream(py) << script;
  CHECK(python(py.string() + " " + lines.string() + " " + ctx.string()) == 0);
  fs::remove(lines);
  fs::remove(ctx);
  fs::remove(py);
}

TEST_CASE("steal time is a percentage of elapsed CPU time") {
  CHECK(steal_pct({10, 1000, true}, {15, 1100, true}) == Approx(5.0));
  CHECK(!steal_pct({10, 1000, true}, {10, 1000, true}));
  CHECK(!steal_pct({}, {15, 1100, true}));
  CHECK(read_cpu_times().valid);
}
