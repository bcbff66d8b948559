// Joining the shards of one sweep: shard files are written here with the results sinks and a
// context like the one `cromwell sweep --shard K/N` writes, then merged through the library and
// through `cromwell merge`. A complete set gives every config once in the whole sweep's order and
// every shard's calibration rows; missing keys and whole missing shards are listed with the array
// indices to resubmit (exit 1, the merged file written anyway); a key in two shards is a duplicate
// whose first row is kept; inputs of different sweeps, and a shard given twice, are refused
// (exit 2) with both files and the field named, and nothing is written.
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"
#include "harness/run/merge.hpp"
#include "harness/run/stats.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;
using cromwell_test::TempDir;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

const Columns kColumns{{"m", "n", "k"}, {"tile"}, {}};
constexpr int kConfigs = 11;

// The whole sweep: measured, rejected and pruned rows of one kernel (a pruned one has a reason).
Record config_row(int i) {
  Record r;
  r.config = Config{"gemm", "blocked", Dims{{{"m", 8 + i}, {"n", 8}, {"k", 8}}}, ParamValues{{{"tile", "8"}}},
                    Axes{1 + i % 2, "none", "hot", 0}};
  if (i % 5 == 3) {
    r.status = Status::rejected;
    r.reason = "tile must divide m";
  } else if (i % 5 == 4) {
    r.status = Status::pruned;
    r.reason = "too big for L1D (--no-prune runs it anyway)";
  } else {
    r.samples_ns = {100.0 + i, 101.0 + i, 99.0 + i};
    summarize(r, 1000, 100);
    r.counters_source = "none";
  }
  return r;
}

std::vector<std::string> all_keys() {
  std::vector<std::string> out;
  for (int i = 0; i < kConfigs; ++i) out.push_back(config_row(i).config.key());
  return out;
}

Record calibration(int threads, const std::string& shard) {
  Record r;
  r.config.kernel = "noop";
  r.config.variant = "forkjoin";
  r.config.axes.threads = threads;
  r.shard = shard;
  r.samples_ns = {50, 51};
  summarize(r, 0, 0);
  r.counters_source = "none";
  r.note = "calibration of shard " + shard;
  return r;
}

struct ShardFile {
  int k = 0, n = 1;
  bool sharded = true;
  std::string hash = "c0ffee";
  int configs = kConfigs;
  std::vector<int> drop;   // positions in the whole sweep this shard should have but did not write
  std::vector<int> extra;  // positions of other shards it wrote too
  std::string note;        // on every config row, to tell the files' rows apart
  Columns columns = kColumns;
};

ShardFile shard(int k, int n) {
  ShardFile s;
  s.k = k;
  s.n = n;
  return s;
}

// Writes shard k of n as a sharded sweep would: calibration rows first, then its configs.
std::string write_shard(const TempDir& dir, const ShardFile& s, const std::string& name = "") {
  const std::string text = s.sharded ? fmt::format("{}/{}", s.k, s.n) : "";
  const std::string path = (dir / (name.empty() ? fmt::format("shard-{}-of-{}.csv", s.k, s.n) : name)).string();
  std::vector<Record> rows{calibration(1, text), calibration(2, text)};
  Json keys = Json::array();
  for (int i = s.k; i < s.configs; i += s.n) {
    keys.push_back(config_row(i).config.key());
    if (std::find(s.drop.begin(), s.drop.end(), i) != s.drop.end()) continue;
    rows.push_back(config_row(i));
    rows.back().shard = text;
    rows.back().note = s.note;
  }
  for (Record& r : rows)
    if (r.config.kernel != "noop" && r.status == Status::measured)
      for (const auto& name : s.columns.metrics) r.metrics.push_back({name, 1.5, ""});
  for (int i : s.extra) {
    rows.push_back(config_row(i));
    rows.back().shard = text;
    rows.back().note = s.note;
  }
  {
    auto sink = csv_sink(path, s.columns);
    for (const auto& r : rows) sink->write(r);
  }
  Json slurm =
      s.sharded ? Json{{"job_id", 100 + s.k}, {"array_job_id", 99}, {"array_task_id", s.k}, {"array_task_count", s.n}}
                : Json(nullptr);
  Json ctx = {{"schema_version", kSchemaVersion},
              {"host", fmt::format("node{}", s.k)},
              {"cpu", {{"name", "Test CPU"}}},
              {"counters_backend", "none"},
              {"sweep",
               {{"hash", s.hash},
                {"configs", s.configs},
                {"shard", s.sharded ? Json(text) : Json(nullptr)},
                {"keys", keys},
                {"strategy", "grid"},
                {"slurm", slurm}}}};
  std::ofstream(context_path(path)) << ctx.dump(2) << "\n";
  return path;
}

Merged merge_paths(const std::vector<std::string>& paths) {
  std::vector<ResultsFile> files;
  for (const auto& p : paths) files.push_back(read_results(p));
  return merge_results(files);
}

std::vector<std::string> config_keys(const std::vector<Record>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    if (r.config.kernel != "noop") out.push_back(r.config.key());
  return out;
}

}  // namespace

TEST_CASE("merge: a complete set of shards gives every config once, in the sweep's order", "[merge]") {
  const TempDir dir;
  const int n = 3;
  // Given out of order: the merged file does not depend on the order of the arguments.
  std::vector<std::string> paths;
  for (int k : {2, 0, 1}) paths.push_back(write_shard(dir, shard(k, n)));
  const Merged m = merge_paths(paths);
  CHECK(m.complete());
  CHECK(m.duplicates.empty());
  CHECK(m.resubmit.empty());
  CHECK(m.shard_count == n);
  CHECK(config_keys(m.records) == all_keys());
  CHECK(m.inputs.front().shard == "0/3");

  const std::string out = (dir / "all.csv").string();
  write_merged(m, out, "cromwell merge ...");
  const ResultsFile back = read_results(out);
  CHECK(config_keys(back.records) == all_keys());
  CHECK(back.columns == kColumns);
  // Every shard's calibration rows are kept, first, told apart by their shard column.
  std::map<std::string, int> calibrations;
  for (const auto& r : back.records)
    if (r.config.kernel == "noop") ++calibrations[r.shard];
  CHECK(calibrations == std::map<std::string, int>{{"0/3", 2}, {"1/3", 2}, {"2/3", 2}});
  CHECK(back.records.front().config.kernel == "noop");
  for (const auto& r : back.records)
    if (r.config.kernel != "noop") CHECK(!r.shard.empty());
  // The context: the first shard's, now describing the whole sweep.
  const Json& ctx = back.context;
  CHECK(ctx["schema_version"] == kSchemaVersion);
  CHECK(ctx["host"] == "node0");
  CHECK(ctx["sweep"]["shard"].is_null());
  CHECK(ctx["sweep"]["hash"] == "c0ffee");
  CHECK(ctx["sweep"]["keys"].get<std::vector<std::string>>() == all_keys());
  REQUIRE(ctx["merged_from"].size() == n);
  for (int k = 0; k < n; ++k) {
    CHECK(ctx["merged_from"][k]["shard"] == fmt::format("{}/{}", k, n));
    CHECK(ctx["merged_from"][k]["slurm"]["array_task_id"] == k);
    CHECK(ctx["merged_from"][k]["file"] == (dir / fmt::format("shard-{}-of-{}.csv", k, n)).string());
  }
  CHECK(ctx["merge"]["complete"] == true);

  // The command: exit 0, and an existing output is replaced only with --overwrite.
  const std::string args = fmt::format("{} {} {}", paths[0], paths[1], paths[2]);
  const std::string cli_out = (dir / "cli.csv").string();
  const cromwell_test::Result ok = cromwell_test::cromwell(fmt::format("merge {} -o {}", args, cli_out));
  INFO(ok.output);
  CHECK(ok.code == 0);
  CHECK(config_keys(read_results(cli_out).records) == all_keys());
  const cromwell_test::Result again = cromwell_test::cromwell(fmt::format("merge {} -o {}", args, cli_out));
  CHECK(again.code == 2);
  CHECK_THAT(again.output, Catch::Contains("--overwrite"));
  CHECK(cromwell_test::cromwell(fmt::format("merge {} -o {} --overwrite", args, cli_out)).code == 0);
  // The output may not replace an input or its context.
  const cromwell_test::Result onto = cromwell_test::cromwell(fmt::format("merge {} -o {} --overwrite", args, paths[0]));
  CHECK(onto.code == 2);
  CHECK_THAT(onto.output, Catch::Contains("an input"));
}

TEST_CASE("merge: missing keys and a missing shard are listed with the indices to resubmit", "[merge]") {
  const TempDir dir;
  const int n = 4;  // shard 2 never wrote a file; shard 1 stopped before its last two configs
  ShardFile stopped = shard(1, n);
  stopped.drop = {5, 9};
  const std::vector<std::string> paths = {write_shard(dir, shard(0, n)), write_shard(dir, stopped),
                                          write_shard(dir, shard(3, n))};
  const Merged m = merge_paths(paths);
  CHECK_FALSE(m.complete());
  CHECK(m.missing == std::vector<std::string>{all_keys()[5], all_keys()[9]});
  CHECK(m.absent_shards == std::vector<int>{2});
  CHECK(m.absent_configs == 3);  // positions 2, 6, 10
  CHECK(m.missing_count() == 5);
  CHECK(m.resubmit == std::vector<int>{1, 2});
  CHECK(m.duplicates.empty());

  // The command exits 1, says what to resubmit, and still writes every row it has.
  const std::string out = (dir / "all.csv").string();
  const cromwell_test::Result r =
      cromwell_test::cromwell(fmt::format("merge {} {} {} -o {}", paths[0], paths[1], paths[2], out));
  INFO(r.output);
  CHECK(r.code == 1);
  CHECK_THAT(r.output, Catch::Contains("missing: 5 of 11 configs"));
  CHECK_THAT(r.output, Catch::Contains(all_keys()[5]));
  CHECK_THAT(r.output, Catch::Contains("shard 2/4: no input file"));
  CHECK_THAT(r.output, Catch::Contains("--array=1,2 ") && Catch::Contains("--only 1,2 "));
  const ResultsFile back = read_results(out);
  CHECK(config_keys(back.records).size() == kConfigs - 5);
  CHECK(back.context["merge"]["complete"] == false);
  CHECK(back.context["merge"]["missing"] == 5);
  CHECK(back.context["merge"]["absent_shards"] == Json::array({2}));
}

TEST_CASE("merge: the first 20 missing keys are listed, with a count", "[merge]") {
  const TempDir dir;
  ShardFile whole = shard(0, 1);  // a sweep of 30 configs without --shard that stopped after 4
  whole.sharded = false;
  whole.configs = 30;
  for (int i = 4; i < 30; ++i) whole.drop.push_back(i);
  const std::string path = write_shard(dir, whole, "whole.csv");
  const cromwell_test::Result r =
      cromwell_test::cromwell(fmt::format("merge {} -o {}", path, (dir / "all.csv").string()));
  INFO(r.output);
  CHECK(r.code == 1);
  CHECK_THAT(r.output, Catch::Contains("missing: 26 of 30 configs"));
  CHECK_THAT(r.output, Catch::Contains(config_row(23).config.key()));
  CHECK_THAT(r.output, !Catch::Contains(config_row(24).config.key()));
  CHECK_THAT(r.output, Catch::Contains("... and 6 more keys"));
  CHECK_THAT(r.output, Catch::Contains("rerun the sweep with --resume"));
}

TEST_CASE("merge: a key in two shards is a duplicate and the first row is kept", "[merge]") {
  const TempDir dir;
  ShardFile zero = shard(0, 2), one = shard(1, 2);
  zero.note = "from shard 0";
  one.note = "from shard 1";
  one.extra = {4};  // shard 0's config, written again by shard 1
  const std::vector<std::string> paths = {write_shard(dir, one), write_shard(dir, zero)};
  const Merged m = merge_paths(paths);
  REQUIRE(m.duplicates.size() == 1);
  CHECK_THAT(m.duplicates[0], Catch::StartsWith(all_keys()[4]));
  CHECK(m.complete());
  CHECK(config_keys(m.records) == all_keys());
  for (const auto& r : m.records)
    if (r.config.key() == all_keys()[4]) CHECK(r.note == "from shard 0");
  // Calibration rows have the same key in every shard and are never duplicates.
  CHECK(std::count_if(m.records.begin(), m.records.end(), [](const Record& r) { return r.config.kernel == "noop"; }) ==
        4);

  const cromwell_test::Result r =
      cromwell_test::cromwell(fmt::format("merge {} {} -o {}", paths[0], paths[1], (dir / "all.csv").string()));
  INFO(r.output);
  CHECK(r.code == 1);
  CHECK_THAT(r.output, Catch::Contains("duplicates: 1 config key"));
  CHECK_THAT(r.output, Catch::Contains(all_keys()[4]));
}

TEST_CASE("merge: shards that counted different metrics give the union of the columns", "[merge]") {
  const TempDir dir;
  ShardFile zero = shard(0, 2), one = shard(1, 2);
  zero.columns.metrics = {"ipc"};
  one.columns.metrics = {"l1d_misses", "ipc"};
  const Merged m = merge_paths({write_shard(dir, one), write_shard(dir, zero)});
  CHECK(m.complete());
  CHECK(m.columns == Columns{{"m", "n", "k"}, {"tile"}, {"ipc", "l1d_misses"}});
  const std::string out = (dir / "all.csv").string();
  write_merged(m, out, "");
  const ResultsFile back = read_results(out);
  CHECK(back.columns == m.columns);
  CHECK(config_keys(back.records) == all_keys());
  for (const auto& r : back.records) {
    if (r.config.kernel == "noop" || r.status != Status::measured) continue;
    INFO(r.config.key());
    // A shard that did not count a metric leaves its cell empty, never 0.
    const bool counted = r.shard == "1/2";
    int values = 0;
    for (const auto& x : r.metrics) values += x.value.has_value();
    CHECK(values == (counted ? 2 : 1));
  }
}

TEST_CASE("merge: shards of different sweeps, or one shard twice, are refused", "[merge]") {
  const TempDir dir;
  const std::string a = write_shard(dir, shard(0, 2));
  const std::string out = (dir / "all.csv").string();
  const auto refused = [&](const std::string& b, const std::string& field) {
    INFO(field);
    try {
      merge_paths({a, b});
      FAIL("merged");
    } catch (const std::invalid_argument& e) {
      CHECK_THAT(e.what(), Catch::Contains(a) && Catch::Contains(b) && Catch::Contains(field));
    }
    const cromwell_test::Result r = cromwell_test::cromwell(fmt::format("merge {} {} -o {}", a, b, out));
    INFO(r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains(field));
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(context_path(out)));
  };
  ShardFile other_hash = shard(1, 2), unsharded = shard(0, 1), other_size = shard(1, 2), other_columns = shard(1, 2);
  other_hash.hash = "decaf";
  unsharded.sharded = false;
  other_size.configs = kConfigs + 1;
  refused(write_shard(dir, other_hash, "other-hash.csv"), "sweep.hash differs (c0ffee in");
  refused(write_shard(dir, shard(1, 3), "other-n.csv"), "the shard count N differs");
  refused(write_shard(dir, unsharded, "unsharded.csv"), "the shard count N differs");
  refused(write_shard(dir, other_size, "other-size.csv"), "sweep.configs differs");
  other_columns.columns = Columns{{"m", "n", "k"}, {"tile", "mc"}, {}};
  refused(write_shard(dir, other_columns, "other-columns.csv"), "the parameter columns differ");
  refused(write_shard(dir, shard(0, 2), "again.csv"), "a shard given twice");

  // A file without the sweep's description in its context cannot be placed.
  const std::string bare = (dir / "bare.csv").string();
  {
    auto sink = csv_sink(bare, kColumns);
    sink->write(config_row(1));
  }
  std::ofstream(context_path(bare)) << Json{{"schema_version", kSchemaVersion}}.dump();
  const cromwell_test::Result r = cromwell_test::cromwell(fmt::format("merge {} {} -o {}", a, bare, out));
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains(bare) && Catch::Contains("no 'sweep' object"));
  CHECK_FALSE(fs::exists(out));
}
