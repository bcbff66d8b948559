// The CI gate: its statistics on hand-made numbers (Holm, the t distribution, the three-way rule,
// when rounds suffice), two results files matched by key, and the command's exit codes.
#include <catch2/catch.hpp>
#include <cmath>

#include "harness/gate/rule.hpp"
#include "harness/gate/runs.hpp"
#include "harness/gate/summary.hpp"
#include "harness/io/results.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;

namespace {

std::string fixture(const std::string& name) { return std::string(CROMWELL_SOURCE_DIR) + "/tests/plots/data/" + name; }

Metric* metric(Record& r, const std::string& name) {
  for (auto& m : r.metrics)
    if (m.name == name) return &m;
  return nullptr;
}

// The first measured GEMM row with instruction counts and five repetitions.
Record* counted(std::vector<Record>& rows) {
  for (auto& r : rows)
    if (r.status == Status::measured && r.config.kernel == "gemm" && r.samples_ns.size() >= 5) {
      const Metric* m = metric(r, "instructions");
      if (m && m->value && *m->value > 1e4) return &r;
    }
  return nullptr;
}

const GateLine* line(const GateResult& g, const std::string& key, const std::string& metric) {
  for (const auto& l : g.lines)
    if (l.key == key && l.metric == metric) return &l;
  return nullptr;
}

}  // namespace

TEST_CASE("Holm's adjustment on known p-values", "[gate]") {
  // Sorted: 0.005×4 = 0.02, 0.01×3 = 0.03, 0.03×2 = 0.06, 0.04×1 = 0.04 → raised to 0.06.
  const auto adj = holm({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adj.size() == 4);
  CHECK(adj[0] == Approx(0.03));
  CHECK(adj[1] == Approx(0.06));
  CHECK(adj[2] == Approx(0.06));
  CHECK(adj[3] == Approx(0.02));
  CHECK(holm({0.9, 0.8})[0] == Approx(1.0));  // capped at 1
  CHECK(holm({}).empty());
}

TEST_CASE("the t distribution's cdf inverts its quantile", "[gate]") {
  CHECK(t_cdf(0, 5) == Approx(0.5));
  CHECK(t_cdf(2.228, 10) == Approx(0.975).margin(1e-4));  // tables: t(0.975, 10) = 2.228
  CHECK(t_cdf(-1.812, 10) == Approx(0.05).margin(1e-4));  // t(0.95, 10) = 1.812
  for (double df : {1.0, 3.0, 7.5, 40.0})
    for (double p : {0.6, 0.9, 0.99}) CHECK(t_cdf(t_quantile(p, df), df) == Approx(p).margin(1e-6));
  CHECK_THROWS_AS(t_cdf(1, 0.5), std::invalid_argument);
}

TEST_CASE("the three-way rule on hand-made slowdowns", "[gate]") {
  const TimeRule rule{0.05, 0.05};
  const double se = 0.005, df = 10;  // a compute-bound kernel's median ratio: SD ≈ 0.5 %
  const auto d = decide_times({{std::log(1.05), se, df},
                               {std::log(1.00), se, df},
                               {std::log(1.02), se, df},
                               {std::log(0.94), se, df},
                               {std::log(1.03), 0.03, df},
                               {std::log(1.10), INFINITY, 0}},
                              rule);
  REQUIRE(d.size() == 6);
  CHECK(d[0].decision == Decision::regressed);  // 5 % slower, clearly above τ/2
  CHECK(d[1].decision == Decision::unchanged);
  CHECK(d[2].decision == Decision::unchanged);  // 2 %: within ±τ, never called a regression
  CHECK(d[3].decision == Decision::improved);
  CHECK(d[4].decision == Decision::inconclusive);  // a DRAM-bound kernel's noise: SD 3 %
  // Half-width t(0.975, 10)·0.03 = 0.0668 against τ/4 = log(1.05)/4 = 0.0122: (0.0668 / 0.0122)² ≈ 30 times the rounds.
  CHECK(d[4].more_rounds == Approx(std::pow(t_quantile(0.975, 10) * 0.03 / (std::log(1.05) / 4), 2)));
  CHECK(d[5].decision == Decision::inconclusive);  // no interval
  CHECK(d[5].more_rounds == 0);
  CHECK(d[0].ratio.median == Approx(1.05));
  CHECK(d[0].ratio.lo > 1.025);
}

TEST_CASE("Holm keeps many borderline configs from each being called a regression", "[gate]") {
  // Each alone: p ≈ 0.03 for "slower than τ/2"; twenty of them: adjusted far above 5 %.
  const TimeRule rule{0.05, 0.05};
  const double se = 0.004, df = 20, edge = std::log(1.025);
  const double s = edge + 2.0 * se;
  const auto one = decide_times({{s, se, df}}, rule);
  CHECK(one[0].decision == Decision::regressed);
  const auto many = decide_times(std::vector<LogEstimate>(20, {s, se, df}), rule);
  for (const auto& d : many) CHECK(d.decision != Decision::regressed);
}

TEST_CASE("enough rounds: the half-width at most τ/4", "[gate]") {
  const TimeRule rule{0.05, 0.05};
  CHECK(settled({0, 0.004, 20}, rule));
  CHECK_FALSE(settled({0, 0.02, 20}, rule));
  CHECK_FALSE(settled({0, INFINITY, 0}, rule));
}

TEST_CASE("counts: half the threshold, and a floor for tiny counts", "[gate]") {
  const CountRule rule{0.01, 64};
  CHECK(decide_count(1e6, 1e6, rule) == Decision::unchanged);
  CHECK(decide_count(1e6, 1.01e6, rule) == Decision::regressed);   // a 1 % change is caught
  CHECK(decide_count(1e6, 1.004e6, rule) == Decision::unchanged);  // 0.4 %: below τc/2
  CHECK(decide_count(1e6, 0.99e6, rule) == Decision::improved);
  CHECK(decide_count(3, 40, rule) == Decision::unchanged);  // within the floor
  CHECK(decide_count(3, 80, rule) == Decision::regressed);
}

TEST_CASE("two results files: unchanged, a heavier kernel, a failed check, a missing config", "[gate]") {
  const ResultsFile base = read_results(fixture("gemm-sim.csv"));
  const GateResult same = gate_runs(base, base, {});
  CHECK_FALSE(same.failed());
  CHECK(same.overlap > 10);
  for (const auto& l : same.lines) {
    // Five repetitions a side give too wide an interval to call a time unchanged; never regressed.
    if (l.metric == "time")
      CHECK(l.decision != Decision::regressed);
    else
      CHECK(l.decision == Decision::unchanged);
  }

  ResultsFile cand = base;
  Record* heavier = counted(cand.records);
  REQUIRE(heavier);
  const std::string key = heavier->config.key();
  const double before = *metric(*heavier, "instructions")->value;
  metric(*heavier, "instructions")->value = before * 1.01;
  GateOptions counts;
  counts.metrics = {"counts"};  // times are not the point here (and their bootstraps are slow under ASan)
  GateResult g = gate_runs(base, cand, counts);
  CHECK(g.failed());
  const GateLine* l = line(g, key, "instructions");
  REQUIRE(l);
  CHECK(l->decision == Decision::regressed);
  CHECK(l->gating);
  CHECK(g.lines.front().key == key);  // regressions first
  const std::string md = render_gate(g, TextFormat::md);
  CHECK_THAT(md, Catch::Contains("FAILED, 1 regression") && Catch::Contains("**regressed**") &&
                     Catch::Contains("+1.00 %") && Catch::Contains("Decision rule"));

  // Times of separate runs only warn: 30 % slower over 16 repetitions is regressed, not gating.
  ResultsFile steady = base, slow = base;
  Record* r = counted(steady.records);
  r->samples_ns.clear();
  for (int i = 0; i < 16; ++i) r->samples_ns.push_back(1000 + 7 * (i % 5));
  Record* r_slow = counted(slow.records);
  r_slow->samples_ns.clear();
  for (const double t : r->samples_ns) r_slow->samples_ns.push_back(1.3 * t);
  g = gate_runs(steady, slow, {});
  CHECK_FALSE(g.failed());
  l = line(g, key, "time");
  REQUIRE(l);
  CHECK(l->decision == Decision::regressed);
  CHECK_FALSE(l->gating);

  ResultsFile broken = base;
  r = counted(broken.records);
  r->status = Status::failed;
  r->reason = "c[3] = 1, expected 2";
  g = gate_runs(base, broken, counts);
  CHECK(g.failed());
  l = line(g, key, "status");
  REQUIRE(l);
  CHECK(l->decision == Decision::regressed);
  CHECK_THAT(l->note, Catch::Contains("c[3] = 1"));

  ResultsFile fewer = base;
  fewer.records.erase(fewer.records.begin() + (counted(fewer.records) - fewer.records.data()));
  g = gate_runs(base, fewer, counts);
  CHECK(g.failed());
  CHECK(line(g, key, "config")->decision == Decision::missing);
  GateOptions allow = counts;
  allow.allow_missing = true;
  CHECK_FALSE(gate_runs(base, fewer, allow).failed());
  CHECK(line(gate_runs(fewer, base, counts), key, "config")->decision == Decision::added);
}

TEST_CASE("a fingerprint that differs keeps its metrics out, and nothing in common is refused", "[gate]") {
  const ResultsFile base = read_results(fixture("gemm-sim.csv"));
  ResultsFile other = base;
  other.context["compiler"] = "gcc 13.2.0";
  Record* r = counted(other.records);
  metric(*r, "instructions")->value = *metric(*r, "instructions")->value * 2;
  const GateResult g = gate_runs(base, other, {});
  CHECK_FALSE(g.failed());
  REQUIRE(g.refusals.size() == 1);
  CHECK_THAT(g.refusals[0], Catch::Contains("compiler") && Catch::Contains("gcc 13.2.0"));
  for (const auto& l : g.lines) CHECK(l.metric == "time");

  const ResultsFile unrelated = read_results(fixture("mixed-sw.csv"));
  CHECK_THROWS_WITH(gate_runs(base, unrelated, {}), Catch::Contains("no configuration was measured both"));
  GateOptions only;
  only.metrics = {"l9_misses"};
  CHECK_THROWS_WITH(gate_runs(base, base, only), Catch::Contains("--metric l9_misses"));
}

TEST_CASE("gate --normalize: times divided by their calibration decide when it drifted by less than τ/4", "[gate]") {
  const ResultsFile base = read_results(fixture("gemm-sim.csv"));
  const std::string key = counted(const_cast<std::vector<Record>&>(base.records))->config.key();
  // A run of 16 repetitions whose host ran `host` times slower, of a kernel `kernel` times slower.
  const auto run = [&](double host, double kernel, const std::string& calib = "fma.avx2") {
    ResultsFile f = base;
    Record* r = counted(f.records);
    r->samples_ns.clear();
    r->calib_ns.clear();
    r->calib = calib;
    for (int i = 0; i < 16; ++i) {
      const double noise = 1 + 0.004 * ((i * 7) % 5 - 2);  // the host's moment, shared by both
      r->samples_ns.push_back(1000 * host * kernel * noise);
      r->calib_ns.push_back(500 * host * noise * (1 + 0.001 * (i % 3)));
    }
    return f;
  };
  GateOptions opt;
  opt.metrics = {"time"};
  opt.normalize = true;
  const ResultsFile b = run(1, 1);

  // The host 0.8 % slower, the kernel 5 % slower: normalized, the regression fails the gate.
  GateResult g = gate_runs(b, run(1.008, 1.05), opt);
  const GateLine* l = line(g, key, "time");
  REQUIRE(l);
  CHECK(l->decision == Decision::regressed);
  CHECK(l->gating);
  CHECK(g.failed());
  CHECK(l->time.ratio.median == Approx(1.05).epsilon(0.005));
  CHECK_THAT(l->note, Catch::Contains("normalized by fma.avx2 (drift +0.8"));
  CHECK_THAT(render_gate(g, TextFormat::md), Catch::Contains("With --normalize"));

  // The host 0.8 % slower, the kernel the same: unchanged, although the raw times moved.
  g = gate_runs(b, run(1.008, 1), opt);
  CHECK(line(g, key, "time")->decision == Decision::unchanged);
  CHECK_FALSE(g.failed());

  // The host 10 % slower: the calibration drifted beyond τ/4, the slowdown only warns.
  g = gate_runs(b, run(1.10, 1.05), opt);
  l = line(g, key, "time");
  CHECK_FALSE(l->gating);
  CHECK_FALSE(g.failed());
  CHECK_THAT(l->note, Catch::Contains("fma.avx2 drifted +10.") && Catch::Contains("a warning only"));

  // The host 2 % slower, the kernel the same: raw times that agree earn no "unchanged" either.
  g = gate_runs(b, run(1.02, 1), opt);
  CHECK(line(g, key, "time")->decision == Decision::inconclusive);
  CHECK_FALSE(g.failed());

  // Without --normalize the same files only warn.
  opt.normalize = false;
  CHECK_FALSE(gate_runs(b, run(1.008, 1.05), opt).failed());
  opt.normalize = true;

  // Another calibration kernel, or none, in every config: nothing to normalize, refused.
  CHECK_THROWS_WITH(gate_runs(b, run(1, 1.05, "read.avx2.L2"), opt), Catch::Contains("of one kernel in both files"));
  CHECK_THROWS_WITH(gate_runs(base, base, opt), Catch::Contains("--normalize") && Catch::Contains("--calibrate"));
}

TEST_CASE("cromwell gate: exit codes, the summary, and a baseline that round-trips", "[gate][cli]") {
  cromwell_test::TempDir dir;
  const std::string base = (dir / "baselines/gemm.csv").string();
  auto r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + fixture("gemm-sim.csv") +
                                   " --update-baseline");
  REQUIRE(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("wrote " + base));
  // Counts are whole numbers in full.
  bool integers = false;
  for (const auto& text : cromwell_test::lines(base)) {
    CHECK(text.find("e+0") == std::string::npos);
    integers = integers || text.find(",14001,") != std::string::npos || text.find("00,") != std::string::npos;
  }
  CHECK(integers);
  const std::string summary = (dir / "summary.md").string();
  r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + fixture("gemm-sim.csv") + " --summary " +
                              summary + " --metric counts");
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("cromwell gate: passed"));
  CHECK_FALSE(cromwell_test::lines(summary).empty());
  CHECK(cromwell_test::lines(summary).front() == "# cromwell gate: passed");

  r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + fixture("mixed-sw.csv"));
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("nothing to compare"));
  r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + fixture("gemm-sim.csv") +
                              " --threshold 5 percent");
  CHECK(r.code == 2);
  r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + fixture("gemm-sim.csv") +
                              " --threshold 150%");
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("--threshold 150%") && Catch::Contains("(0, 1]"));
  r = cromwell_test::cromwell("gate --baseline /nonexistent.csv --candidate " + fixture("gemm-sim.csv"));
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("/nonexistent.csv"));

  // Unusable inputs: a schema version from the future, a file without the columns it needs.
  std::filesystem::copy_file(fixture("gemm-sim.csv"), dir / "future.csv");
  std::ofstream(dir / "future.json") << R"({"schema_version": 99})";
  r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + (dir / "future.csv").string());
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("future") && Catch::Contains("99"));
  std::ofstream(dir / "bare.csv")
      << "key,kernel\n\"gemm.naive/m:1,n:1,k:1//threads:1,pin:none,cache:hot,align:0\",gemm\n";
  std::ofstream(dir / "bare.json") << R"({"schema_version": 4})";
  r = cromwell_test::cromwell("gate --baseline " + base + " --candidate " + (dir / "bare.csv").string());
  CHECK(r.code == 2);
  CHECK_THAT(r.output, Catch::Contains("bare.csv") && Catch::Contains("missing column"));
}
