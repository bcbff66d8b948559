// A run against a baseline: the change of each config with its interval (run_change, the CI
// gate's statistic), a config made slower found and no other, and the CLI's --baseline.
#include <catch2/catch.hpp>

#include "harness/io/results.hpp"
#include "harness/report/baseline.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;

namespace {

std::string fixture(const std::string& name) { return std::string(CROMWELL_SOURCE_DIR) + "/tests/plots/data/" + name; }

}  // namespace

TEST_CASE("a run against itself changes nothing, and a config made 30 % slower is found alone", "[report]") {
  const ResultsFile base = read_results(fixture("gemm-sim.csv"));
  std::vector<Record> now = base.records;
  const Record* slowed = nullptr;
  for (auto& r : now)
    if (r.status == Status::measured && r.config.kernel == "gemm" && r.samples_ns.size() >= 5 && !slowed) {
      for (auto& t : r.samples_ns) t *= 1.3;
      r.time_ns = *r.time_ns * 1.3;
      slowed = &r;
    }
  REQUIRE(slowed);
  const auto same = changes_between(base.records, base.records);
  REQUIRE_FALSE(same.empty());
  for (const auto& c : same) {
    CHECK(c.speedup.median == Approx(1));
    CHECK(verdict_of(c.speedup) == Verdict::same);
  }
  const auto changed = changes_between(base.records, now);
  REQUIRE(changed.size() == same.size());
  CHECK(changed.front().now == slowed);  // slowest first
  CHECK(changed.front().speedup.median == Approx(1 / 1.3));
  CHECK(verdict_of(changed.front().speedup) == Verdict::slower);
  for (std::size_t i = 1; i < changed.size(); ++i) CHECK(verdict_of(changed[i].speedup) == Verdict::same);
  const std::string text = render_changes(TextFormat::term, changed, "base.csv", 3);
  CHECK_THAT(text,
             Catch::Contains("SLOWER") && Catch::Contains("1 slower") && Catch::Contains("more without a change"));
}

TEST_CASE("cromwell report --baseline", "[report][cli]") {
  const auto r =
      cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --baseline " + fixture("gemm-sim.csv"));
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("Against the baseline") && Catch::Contains("0 faster, 0 slower"));
  const auto other =
      cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --baseline " + fixture("mixed-sw.csv"));
  CHECK(other.code == 0);
  CHECK_THAT(other.output, Catch::Contains("No configuration was measured"));
  const auto bad = cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --baseline /nonexistent.csv");
  CHECK(bad.code == 2);
  CHECK_THAT(bad.output, Catch::Contains("--baseline") && Catch::Contains("/nonexistent.csv"));
}
