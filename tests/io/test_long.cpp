// Results in long form: one row per configuration and quantity present, the identifying columns
// first; rows without values (rejected, failed) give none, samples give one row per repetition.
#include <catch2/catch.hpp>

#include "harness/io/csv.hpp"
#include "harness/io/long.hpp"
#include "harness/io/results.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;

namespace {
std::string fixture(const std::string& name) { return std::string(CROMWELL_SOURCE_DIR) + "/tests/plots/data/" + name; }
}  // namespace

TEST_CASE("the long form holds every value present, one per row", "[long]") {
  const ResultsFile f = read_results(fixture("gemm-sim.csv"));
  const auto rows = parse_csv(long_csv({f}), "long");
  REQUIRE(rows.size() > 1);
  const auto& h = rows[0].fields;
  CHECK(h.front() == "key");
  CHECK(std::vector<std::string>(h.end() - 4, h.end()) ==
        std::vector<std::string>{"quantity", "repetition", "value", "unit"});
  CHECK(std::find(h.begin(), h.end(), "m") != h.end());
  CHECK(std::find(h.begin(), h.end(), "threads") != h.end());
  // Expected count: per record, each present real value, each metric present, each sample.
  std::size_t expected = 0;
  for (const auto& r : f.records) {
    for (const auto& v : {r.time_ns, r.time_ns_min, r.err_pct, r.gflops, r.gbps, r.steal_pct, r.spin_ns})
      expected += v.has_value();
    expected += r.samples_ns.size();
    for (const auto& m : r.metrics) expected += m.value.has_value();
  }
  CHECK(rows.size() - 1 == expected);
  // A measured row's time_ns, and nothing for a rejected row.
  const std::size_t q = h.size() - 4;
  const Record* measured = nullptr;
  const Record* rejected = nullptr;
  for (const auto& r : f.records) {
    if (!measured && r.status == Status::measured && r.config.kernel != "noop") measured = &r;
    if (!rejected && r.status == Status::rejected) rejected = &r;
  }
  REQUIRE(measured);
  REQUIRE(rejected);
  bool found = false;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i].fields;
    CHECK(row[0] != rejected->config.key());
    if (row[0] == measured->config.key() && row[q] == "time_ns") {
      found = true;
      CHECK(std::stod(row[q + 2]) == Approx(*measured->time_ns).epsilon(1e-3));
      CHECK(row[q + 3] == "ns");
    }
    if (row[q] == "samples_ns") CHECK_FALSE(row[q + 1].empty());
  }
  CHECK(found);
}

TEST_CASE("cromwell export asks for the form and refuses to replace a file", "[long][cli]") {
  const cromwell_test::TempDir dir;
  const std::string out = (dir / "tidy.csv").string();
  const auto none = cromwell_test::cromwell("export " + fixture("gemm-sim.csv") + " -o " + out);
  CHECK(none.code == 2);
  CHECK_THAT(none.output, Catch::Contains("--long"));
  CHECK(cromwell_test::cromwell("export " + fixture("gemm-sim.csv") + " --long -o " + out).code == 0);
  const auto again = cromwell_test::cromwell("export " + fixture("gemm-sim.csv") + " --long -o " + out);
  CHECK(again.code == 2);
  CHECK_THAT(again.output, Catch::Contains("the file exists"));
}
