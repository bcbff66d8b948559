// The machine profile: cache sizes read off a bandwidth curve, the roofline bound of a row against
// hand-computed values, the profile's JSON both ways (and a profile written by hand), the probes on
// this machine within sane bounds, and `cromwell roofline` writing, reusing and refusing.
#include <cmath>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "harness/io/results.hpp"
#include "harness/roofline/bound.hpp"
#include "harness/roofline/ceilings.hpp"
#include "harness/roofline/levels.hpp"
#include "harness/roofline/probes.hpp"
#include "harness/roofline/profile.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;

namespace {

// Plateaus of 300 GB/s up to 48 KiB, 150 to 1 MiB, 80 to 32 MiB and 30 beyond, each fall spread
// over one size (as caches with some conflict misses show it).
std::vector<std::pair<std::int64_t, double>> synthetic_curve() {
  std::vector<std::pair<std::int64_t, double>> c;
  for (const std::int64_t b : curve_sizes(512ll << 20)) {
    const double bw = b <= (48 << 10) ? 300 : b <= (1 << 20) ? 150 : b <= (32 << 20) ? 80 : 30;
    c.emplace_back(b, bw);
  }
  return c;
}

const CacheSizes kCaches{48 << 10, 1 << 20, 32 << 20, "test"};

MachineProfile hand_profile() {
  MachineProfile p;
  p.threads_all = 4;
  p.levels = {{"L1", 48 << 10, ""}, {"L2", 1 << 20, ""}, {"L3", 32 << 20, ""}};
  p.peaks["baseline"] = {{1, {25, 24, 20, 5}}, {4, {100, 96, 80, 5}}};
  p.peaks["avx2"] = {{1, {100, 98, 90, 5}}, {4, {400, 390, 380, 5}}};
  p.peaks["avx512"] = {{1, {200, 190, 180, 5}}, {4, {800, 780, 700, 5}}};
  for (const char* isa : {"avx2", "avx512"}) {
    p.bandwidth[isa]["read"]["L1"] = {{1, {400, 0, 0, 5}}, {4, {1600, 0, 0, 5}}};
    p.bandwidth[isa]["read"]["L2"] = {{1, {200, 0, 0, 5}}, {4, {800, 0, 0, 5}}};
    p.bandwidth[isa]["read"]["L3"] = {{1, {100, 0, 0, 5}}, {4, {300, 0, 0, 5}}};
    p.bandwidth[isa]["read"]["DRAM"] = {{1, {40, 0, 0, 5}}, {4, {50, 0, 0, 5}}};
    p.bandwidth[isa]["copy_nt"]["DRAM"] = {{1, {45, 0, 0, 5}}, {4, {60, 0, 0, 5}}};
  }
  return p;
}

// Points an environment variable elsewhere for the test case, and back.
struct EnvGuard {
  std::string name, old;
  bool had;
  EnvGuard(const char* n, const std::string& v) : name(n), had(std::getenv(n) != nullptr) {
    if (had) old = std::getenv(n);
    setenv(n, v.c_str(), 1);
    reset_machine_profile();
  }
  ~EnvGuard() {
    had ? setenv(name.c_str(), old.c_str(), 1) : unsetenv(name.c_str());
    reset_machine_profile();
  }
};

}  // namespace

TEST_CASE("cache sizes are read off the bandwidth curve", "[roofline]") {
  auto curve = synthetic_curve();
  auto levels = levels_from_curve(curve);
  REQUIRE(levels.size() == 3);
  CHECK(levels[0].name == "L1");
  CHECK(levels[0].bytes == 48 << 10);
  CHECK(levels[1].bytes == 1 << 20);
  CHECK(levels[2].bytes == 32 << 20);
  CHECK_THAT(levels[0].how, Catch::Contains("300 GB/s up to 48 KiB") && Catch::Contains("150 GB/s"));

  SECTION("one slow size inside a plateau is noise, not a level") {
    for (auto& [b, bw] : curve)
      if (b == 16 << 10) bw = 100;
    levels = levels_from_curve(curve);
    REQUIRE(levels.size() == 3);
    CHECK(levels[0].bytes == 48 << 10);
  }
  SECTION("a gradual fall counts once") {
    for (auto& [b, bw] : curve)
      if (b > (1 << 20) && b < (2 << 20)) bw = b == (5 << 18) ? 110 : b == (6 << 18) ? 95 : 85;
    levels = levels_from_curve(curve);
    REQUIRE(levels.size() == 3);
    CHECK(levels[1].bytes == 1 << 20);
    CHECK(levels[2].bytes == 32 << 20);
  }
  SECTION("a curve that never leaves L3 finds two levels") {
    curve.erase(std::remove_if(curve.begin(), curve.end(), [](const auto& p) { return p.first > (16 << 20); }),
                curve.end());
    CHECK(levels_from_curve(curve).size() == 2);
  }
  CHECK(levels_from_curve({}).empty());
}

TEST_CASE("the roofline bound of a row, by hand", "[roofline]") {
  const MachineProfile p = hand_profile();
  SECTION("memory bound, cold: intensity 2 × DRAM's best 45 GB/s (copy_nt) = 90 < the AVX2 peak of 100") {
    const RowBound b = roofline_bound(p, kCaches, {20, 10, 1e9, 1, {"avx2", "fma"}, true});
    CHECK(b.bound == "DRAM");
    CHECK(b.ceiling == Approx(90));
    CHECK(*b.pct_peak == Approx(20.0 / 90));
    // The machine's best: AVX-512 (800) and 4 threads, DRAM 60 GB/s × 2 = 120.
    CHECK(*b.pct_machine == Approx(20.0 / 120));
  }
  SECTION("compute bound: intensity 10 in L2 (200 GB/s → 2000) above the peak") {
    const RowBound b = roofline_bound(p, kCaches, {50, 5, 512 << 10, 1, {"avx2", "fma"}, false});
    CHECK(b.bound == "compute");
    CHECK(*b.pct_peak == Approx(0.5));
  }
  SECTION("the working set chooses the level; private levels grow with the threads") {
    CHECK(level_of(kCaches, 40 << 10, 1) == "L1");
    CHECK(level_of(kCaches, 100 << 10, 1) == "L2");
    CHECK(level_of(kCaches, 100 << 10, 4) == "L1");
    CHECK(level_of(kCaches, 8 << 20, 4) == "L3");
    CHECK(level_of(kCaches, 64 << 20, 4) == "DRAM");
  }
  SECTION("a kernel without flops against the bandwidth alone") {
    const RowBound b = roofline_bound(p, kCaches, {0, 30, 1e9, 1, {"avx2"}, true});
    CHECK(b.bound == "DRAM");
    CHECK(*b.pct_peak == Approx(30.0 / 45));
  }
  SECTION("above 1.05 of the bound the profile is stale") {
    const RowBound b = roofline_bound(p, kCaches, {0, 50, 1e9, 1, {"avx2"}, true});
    CHECK(*b.pct_peak == Approx(50.0 / 45));
    CHECK(b.bound == "DRAM (profile stale)");
  }
  SECTION("the ISA of the variant chooses the peak; thread counts between those measured are interpolated") {
    CHECK(peak_isa({}) == "baseline");
    CHECK(peak_isa({"avx2", "fma", "prfchw"}) == "avx2");
    CHECK(peak_isa({"avx512f"}) == "avx512");
    const RowBound b = roofline_bound(p, kCaches, {50, 0, 4096, 2, {}, false});
    CHECK(b.bound == "compute");
    CHECK(b.ceiling == Approx(25 + (100 - 25) / 3.0));
    CHECK(*at_threads(p.peaks.at("avx2"), 8) == 400);
  }
  SECTION("a missing ceiling leaves pct_peak empty with the reason") {
    MachineProfile q = p;
    q.peaks.erase("avx512");
    const RowBound b = roofline_bound(q, kCaches, {50, 1, 4096, 1, {"avx512f"}, false});
    CHECK_FALSE(b.pct_peak);
    CHECK_THAT(b.bound, Catch::Contains("no avx512 peak"));
  }
}

TEST_CASE("a machine profile survives its JSON, and a profile written by hand is read", "[roofline]") {
  MachineProfile p = hand_profile();
  p.host = "h";
  p.date = "2026-12-02T00:00:00Z";
  p.curve = {{4096, 300}, {8192, 290}};
  const auto j = to_json(p);
  CHECK(j["peaks_gflops"]["avx2"]["4"] == 400.0);
  CHECK(j["bandwidth_gbps"]["DRAM"]["4"] == 60.0);  // the best operation of any ISA
  const MachineProfile q = profile_from_json(nlohmann::json::parse(j.dump()), "p.json");
  CHECK(q.peaks.at("avx2").at(1).median == 98);
  CHECK(q.bandwidth.at("avx512").at("copy_nt").at("DRAM").at(4).best == 60);
  CHECK(q.levels.size() == 3);
  CHECK(q.curve.size() == 2);
  CHECK(to_json(q) == j);

  std::ifstream in(std::string(CROMWELL_SOURCE_DIR) + "/tests/plots/data/profile.json");
  const MachineProfile hand = profile_from_json(nlohmann::json::parse(in), "profile.json");
  CHECK(hand.bandwidth.at("any").at("read").at("DRAM").at(2).best == 22.0);
  const RowBound b = roofline_bound(hand, kCaches, {0, 11, 1e9, 2, {"avx2"}, true});
  CHECK(*b.pct_peak == Approx(0.5));

  CHECK_THROWS_WITH(profile_from_json(nlohmann::json::parse(R"({"peaks_gflops": {}})"), "x.json"),
                    Catch::Contains("x.json") && Catch::Contains("bandwidth_gbps"));
  CHECK_THROWS_WITH(
      profile_from_json(nlohmann::json::parse(R"({"peaks_gflops": {"avx2": {"one": 3}}, "bandwidth_gbps": {}})"),
                        "x.json"),
      Catch::Contains("'one' is not a thread count"));
}

TEST_CASE("the probes on this machine give figures within sane bounds", "[roofline]") {
  RooflineOptions o;
  o.trial_seconds = 0.004;
  o.curve_max = 16 << 20;
  const MachineProfile p = measure_profile(o);
  INFO(to_json(p).dump(2));
  CHECK(p.clock_ghz.best > 0.3);
  CHECK(p.clock_ghz.best < 10);
  CHECK(p.clock_ghz.min <= p.clock_ghz.median);
  CHECK(p.clock_ghz.median <= p.clock_ghz.best);
  CHECK(p.clock_ghz.trials == 5);
  // Flops per cycle of one core: at least 1 in an optimized build (an unoptimized one keeps the
  // accumulators in memory), at most what two 512-bit FMA pipes can do (64), with room for a clock
  // that changed between the trials.
#ifdef __OPTIMIZE__
  constexpr double kLeast = 1;
#else
  constexpr double kLeast = 0.01;
#endif
  for (const auto& [isa, m] : p.peaks) {
    const double per_cycle = m.at(1).best / p.clock_ghz.median;
    CHECK(per_cycle > kLeast);
    CHECK(per_cycle < 64 * 1.5);
  }
#ifdef __OPTIMIZE__
  if (p.peaks.count("avx2")) CHECK(p.peaks.at("avx2").at(1).best > p.peaks.at("baseline").at(1).best);
#endif
  REQUIRE(p.bandwidth.count("avx2"));
  const auto& read = p.bandwidth.at("avx2").at("read");
  // Instrumented loads under AddressSanitizer run at one speed whatever the level: the order of
  // the levels is a fact of optimized, uninstrumented code only.
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
  CHECK(read.at("L1").at(1).best > read.at("DRAM").at(1).best);
#endif
  for (const auto& level : memory_levels()) {
    CHECK(read.at(level).at(1).best > 0.5);
    CHECK(read.at(level).at(1).best < 10000);
  }
  CHECK(p.curve.size() == curve_sizes(16 << 20).size());
}

TEST_CASE("probes refuse what they cannot do", "[roofline]") {
  CHECK_THROWS_WITH(probes::multiply_adds("sse9", 1), Catch::Contains("allowed: baseline, avx2, avx512"));
  alignas(64) static std::byte buf[2048];
  CHECK_THROWS_WITH(probes::pass(probes::Op::read, "avx2", buf, 1000), Catch::Contains("multiple of 1 KiB"));
  CHECK(probes::pass(probes::Op::copy, "avx2", buf, 2048) == 2048);
  CHECK(level_bytes("L2", 1, 48 << 10, 1 << 20, 32 << 20) == 512 << 10);
  CHECK(level_bytes("L3", 2, 48 << 10, 1 << 20, 32 << 20) == 8 << 20);
  CHECK(level_bytes("DRAM", 2, 48 << 10, 1 << 20, 32 << 20) == 128 << 20);
  CHECK_THROWS_WITH(level_bytes("L4", 1, 1, 1, 1), Catch::Contains("allowed: L1, L2, L3, DRAM"));
}

TEST_CASE("cromwell roofline writes the profile once, reuses it, and sweeps use it", "[roofline][cli]") {
  cromwell_test::TempDir dir;
  const std::string profile = (dir / "cache/machine.json").string();
  EnvGuard g("CROMWELL_PROFILE", profile);
  auto r = cromwell_test::cromwell("roofline --trials 3");
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("--trials"));
  CHECK_FALSE(std::filesystem::exists(profile));

  r = cromwell_test::cromwell("roofline --trial-time 0.003");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("wrote machine profile " + profile) && Catch::Contains("fp32 peak") &&
                           Catch::Contains("effective clock"));
  REQUIRE(std::filesystem::exists(profile));
  r = cromwell_test::cromwell("roofline");
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("machine profile " + profile + " (measured"));
  REQUIRE(machine_profile());

  // A sweep records the profile in its context and places its rows under it.
  const auto out = dir / "x.csv";
  r = cromwell_test::cromwell("sweep gemv.avx2 --shape n:64,k:64 --repetitions 2 --min-time 0.001 -o " + out.string());
  REQUIRE(r.code == 0);
  const ResultsFile f = read_results(out.string());
  CHECK(f.context["machine_profile"]["path"] == profile);
  CHECK(f.context["machine_profile"].contains("peaks_gflops"));
  std::size_t placed = 0;
  for (const auto& row : f.records)
    if (row.config.kernel == "gemv") {
      CHECK(row.pct_peak);
      CHECK(row.pct_machine);
      CHECK((row.bound == "compute" || row.bound.rfind("L", 0) == 0 || row.bound.rfind("DRAM", 0) == 0));
      ++placed;
    }
  CHECK(placed > 0);

  // Without a profile: empty, with the reason.
  EnvGuard none("CROMWELL_PROFILE", (dir / "none.json").string());
  const auto out2 = dir / "y.csv";
  r = cromwell_test::cromwell("sweep gemv.avx2 --shape n:64,k:64 --repetitions 2 --min-time 0.001 -o " + out2.string());
  REQUIRE(r.code == 0);
  for (const auto& row : read_results(out2.string()).records)
    if (row.config.kernel == "gemv") {
      CHECK_FALSE(row.pct_peak);
      CHECK_THAT(row.bound, Catch::Contains("no machine profile") && Catch::Contains("cromwell roofline"));
    }

  // A profile that is not JSON is named, and does not stop the sweep.
  { std::ofstream(profile) << "{ not json"; }
  EnvGuard bad("CROMWELL_PROFILE", profile);
  r = cromwell_test::cromwell("sweep gemv.avx2 --shape n:64,k:64 --repetitions 2 --min-time 0.001 -o " +
                              (dir / "z.csv").string());
  CHECK(r.code == 0);
  for (const auto& row : read_results((dir / "z.csv").string()).records)
    if (row.config.kernel == "gemv") CHECK_THAT(row.bound, Catch::Contains(profile) && Catch::Contains("--refresh"));
}
