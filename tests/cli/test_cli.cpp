// The command line, as a user meets it: bad input gets a message that names the problem and a
// non-zero exit, and writes nothing; good input writes one CSV row per config.
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cli/cli.hpp"

using namespace cromwell_test;

TEST_CASE("bad input gets a clear message and exit code 2 and writes no file") {
  const TempDir dir;
  const std::string out = (dir / "x.csv").string();
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"sweep 'nosuch.*'", "selects no variant"},
      {"sweep nosuch.naive", "unknown kernel 'nosuch'"},
      {"sweep gemm.nosuch", "selects no variant"},
      {"sweep gemm.naive --set bogus=1", "no selected variant has a parameter 'bogus'"},
      {"sweep gemm.blocked --set tile=5000", "tile=5000 is not valid: allowed 8..4096"},
      {"sweep gemm.blocked --set tile=0", "tile=0 is not valid"},
      {"sweep gemm.blocked --set tile=-8", "tile=-8 is not valid"},
      {"sweep gemm.blocked --set tile=abc", "tile=abc is not an integer"},
      {"sweep gemm.blocked --set tile", "expected name=values"},
      {"sweep gemm.naive --shape m:abc", "not an integer"},
      {"sweep gemm.naive --shape m1024", "not name:size"},
      {"sweep gemm.naive --shape x:4", "no selected kernel has exactly these dimensions"},
      {"sweep attn_scores.naive --shape heads:6,kv_heads:4", "heads 6 is not a multiple of kv_heads 4"},
      {"sweep gemm.naive --threads 0", "--threads 0: a thread count must be ≥ 1"},
      {"sweep gemm.naive --threads two", "not an integer"},
      {"sweep gemm.naive --cache warm", "allowed hot|cold"},
      {"sweep gemm.naive --align 64", "allowed 0..63"},
      {"sweep gemm.naive --pin sideways", "sideways"},
      {"sweep gemm.naive --repetitions 0", "--repetitions 0"},
      {"check gemm.blocked --set tile=0", "tile=0 is not valid"},
      {"run gemm.naive/m:4", "4 sections"},
      {"run gemm.nosuch/m:4,n:4,k:4//threads:1,pin:none,cache:hot,align:0", "unknown variant"},
      {"run gemm.blocked/m:4,n:4,k:4/tile:3/threads:1,pin:none,cache:hot,align:0", "tile=3 is not valid"},
      {"run gemm.avx2/m:64,n:64,k:64/mc:100,kc:256,nc:4096/threads:1,pin:none,cache:hot,align:0",
       "mc=100 must be a multiple of MR=6"},
      {"compare read.avx2/n:64/streams:3/threads:1,pin:none,cache:hot,align:0 "
       "read.avx2/n:64/streams:1/threads:1,pin:none,cache:hot,align:0",
       "streams=3 must be 1, 2, 4 or 8"},
      {"list nonsense", "allowed kernels|variants|params|metrics|events"},
  };
  for (const auto& c : cases) {
    const bool sweep = c.args.rfind("sweep", 0) == 0;
    const Result r = cromwell(c.args + (sweep ? " -o " + out : ""));
    INFO(c.args << "\n" << r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains(c.message));
    CHECK(!fs::exists(out));
    CHECK(!fs::exists(dir / "x.json"));
  }
}

TEST_CASE("an existing output file is never overwritten by accident") {
  const TempDir dir;
  const fs::path out = dir / "keep.csv";
  std::ofstream(out) << "precious\n";
  const Result r = cromwell("sweep gemm.naive --shape m:3,n:3,k:3 --repetitions 1 --min-time 0.001 -o " + out.string());
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("exists"));
  CHECK(lines(out) == std::vector<std::string>{"precious"});
}

TEST_CASE("a sweep writes one row per config with reasons for rejected and pruned ones") {
  const TempDir dir;
  const fs::path out = dir / "x.csv";
  const Result r = cromwell(
      "sweep 'gemm.*' --set tile=64,256 --shape m:37,n:41,k:43 --repetitions 2 "
      "--min-time 0.001 -o " +
      out.string());
  INFO(r.output);
  REQUIRE(r.code == 0);
  const auto rows = lines(out);
  REQUIRE(rows.size() > 3);
  CHECK(rows[0].rfind("key,kernel,variant,status,reason", 0) == 0);
  int measured = 0, rejected = 0, pruned = 0, tiles = 0, noop = 0;
  for (const auto& row : rows) {
    measured += row.find(",measured,") != std::string::npos;
    rejected += row.find(",rejected,") != std::string::npos;
    pruned += row.find(",pruned,") != std::string::npos;
    tiles += row.rfind("\"gemm.blocked/", 0) == 0;
    noop += row.rfind("\"noop.forkjoin/", 0) == 0;
  }
  CHECK(tiles == 2);
  CHECK(noop == 1);
  CHECK(measured >= 4);
  CHECK(rejected >= 1);
  CHECK(pruned >= 1);
  CHECK(fs::exists(dir / "x.json"));
}

TEST_CASE("check passes for every variant on its awkward shapes") {
  const Result r = cromwell("check");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("0 failed, 0 errors"));
}

TEST_CASE("run accepts the key a sweep prints") {
  const Result r = cromwell("run 'gemm.blocked/m:17,n:19,k:23/tile:8/threads:2,pin:none,cache:hot,align:4' --calls 3");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("correct; 3 call(s)"));
}

TEST_CASE("compare reports a paired speed-up with a confidence interval") {
  const Result r = cromwell(
      "compare 'gemm.naive/m:32,n:32,k:32//threads:1,pin:none,cache:hot,align:0' "
      "'gemm.blocked/m:32,n:32,k:32/tile:8/threads:1,pin:none,cache:hot,align:0' --repetitions 5 --min-time 0.002");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("speed vs A"));
  CHECK_THAT(r.output, Catch::Contains("95% CI"));
}

TEST_CASE("list shows kernels and variants and params") {
  CHECK_THAT(cromwell("list kernels").output, Catch::Contains("gemm"));
  CHECK_THAT(cromwell("list variants").output, Catch::Contains("gemm.blocked"));
  CHECK_THAT(cromwell("list params").output, Catch::Contains("tile"));
}

TEST_CASE("counters explains this machine in plain words") {
  const Result r = cromwell("counters");
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("perf_event_paranoid"));
  CHECK_THAT(r.output, Catch::Contains("NMI watchdog"));
  CHECK_THAT(r.output, Catch::Contains("In plain words"));
  if (r.output.find("no hardware counters here") != std::string::npos)
    CHECK_THAT(r.output, Catch::Contains("--counters sim"));
  CHECK_THAT(cromwell("list metrics").output, Catch::Contains("l3_miss_rate"));
  CHECK_THAT(cromwell("list events").output, Catch::Contains("instructions"));
}

TEST_CASE("counter sweeps say which counters they use and why values are missing") {
  const TempDir dir;
  const fs::path perf = dir / "perf.csv", autos = dir / "auto.csv";
  const Result p = cromwell(
      "sweep gemm.naive --shape m:8,n:8,k:8 --repetitions 2 --min-time 0.001 --counters perf -o " + perf.string());
  INFO(p.output);
  const Result a = cromwell(
      "sweep gemm.naive --shape m:8,n:8,k:8 --repetitions 2 --min-time 0.001 --counters auto -o " + autos.string());
  INFO(a.output);
  REQUIRE(a.code == 0);
  const auto auto_rows = lines(autos);
  if (a.output.find("software only") != std::string::npos) {  // a machine without hardware counters
    // Asked for by name, hardware counters that do not count are an error, not a table of blanks.
    CHECK(p.code == 2);
    CHECK_THAT(p.output, Catch::Contains("--counters perf: hardware counters do not count here"));
    CHECK(!fs::exists(perf));
    CHECK_THAT(a.output, Catch::Contains("hardware counters are unavailable"));
    CHECK_THAT(auto_rows.back(), Catch::Contains(",sw"));
    const auto header = csv_fields(auto_rows[0]), row = csv_fields(auto_rows.back());
    REQUIRE(header.size() == row.size());
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == "cpu_migrations" && row[i].empty()) CHECK_THAT(auto_rows.back(), Catch::Contains("migration"));
  } else {
    REQUIRE(p.code == 0);
    CHECK(lines(perf)[0].find(",cycles,instructions,l1d_misses,l2_misses,l3_accesses,l3_misses,dram_fills,ipc,") !=
          std::string::npos);
  }
}

TEST_CASE("bad counter options are refused before anything is written") {
  const TempDir dir;
  const fs::path out = dir / "x.csv";
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"--counters bogus", "allowed auto|perf|sim|sw|none"},
           {"--counters sim --cache-model l1d=48K/8,l2=1M/8,l3=32M/16", "power of two"},
           {"--counters sim --cache-model l1d=32K", "size/ways"},
           {"--counters sim --sim-calls 0", "--sim-calls 0"}}) {
    const Result r = cromwell("sweep gemm.naive --shape m:4,n:4,k:4 " + args + " -o " + out.string());
    INFO(args << "\n" << r.output);
    CHECK(r.code == 2);
    CHECK_THAT(r.output, Catch::Contains(message));
    CHECK(!fs::exists(out));
  }
}

TEST_CASE("sweep --threads 1 without filters runs the built-in sweep on 1 thread only") {
  const TempDir dir;
  const fs::path out = dir / "d.csv";
  const Result r = cromwell("sweep --threads 1 --repetitions 1 --min-time 0.001 --counters none -o " + out.string());
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("built-in sweep"));
  const auto rows = lines(out);
  REQUIRE(rows.size() > 5);
  for (const auto& row : rows) CHECK(row.find("threads:2") == std::string::npos);
}

TEST_CASE("each command's help lists what it takes, nothing else") {
  struct Case {
    std::string command;
    std::vector<std::string> has, lacks;
  };
  const std::vector<Case> cases = {
      {"sweep", {"--repetitions", "--counters", "--threads", "--jsonl", "--seed"}, {"--calls", "--validate", "keys"}},
      {"check", {"--threads", "--set", "--seed"}, {"--repetitions", "--counters", "--jsonl", "--calls"}},
      {"run", {"--calls", "--skip-check", "--seed"}, {"--repetitions", "--threads", "--counters"}},
      {"compare", {"--repetitions", "--min-time", "--seed"}, {"--counters", "--threads", "--jsonl", "--calls"}},
      {"counters", {"--validate", "--counters", "--cache-model"}, {"--repetitions", "--threads", "--seed"}},
      {"list", {"--groups"}, {"--repetitions", "--threads", "--seed"}},
  };
  for (const auto& c : cases) {
    const Result r = cromwell(c.command + " --help");
    INFO(c.command << "\n" << r.output);
    CHECK(r.code == 0);
    for (const auto& h : c.has) CHECK_THAT(r.output, Catch::Contains(h));
    for (const auto& l : c.lacks) CHECK_THAT(r.output, !Catch::Contains(l));
  }
  const Result top = cromwell("--help");
  CHECK_THAT(top.output, !Catch::Contains("_child"));
}

TEST_CASE("a sweep's rows carry every repetition's time") {
  const TempDir dir;
  const fs::path out = dir / "s.csv";
  const Result r = cromwell(
      "sweep gemm.naive --shape m:8,n:8,k:8 --repetitions 3 --min-time 0.001 --counters none -o " + out.string());
  INFO(r.output);
  REQUIRE(r.code == 0);
  const auto rows = lines(out);
  const auto header = csv_fields(rows[0]);
  const auto row = csv_fields(rows.back());
  const std::size_t at = std::find(header.begin(), header.end(), "samples_ns") - header.begin();
  REQUIRE(at < header.size());
  std::istringstream samples(row[at]);
  int n = 0;
  for (double t; samples >> t; ++n) CHECK(t > 0);
  CHECK(n == 3);
}
