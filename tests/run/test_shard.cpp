// Shards of a real expanded sweep: N shards are disjoint, cover the whole plan, come out the same
// every time the sweep is expanded, differ in size by at most one, keep their rejected and pruned
// configs, and carry exactly the calibrations their runnable configs need. `--shard` text that is
// not K/N with 0 ≤ K < N is refused with the text and the allowed form.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "harness/platform/machine.hpp"
#include "harness/run/shard.hpp"

using namespace cromwell;

namespace {

// GEMM variants with accepted, rejected (mc not a multiple of the micro-tile) and pruned points,
// two thread counts and two pinnings: several calibrations to distribute.
SweepRequest request() {
  SweepRequest r = default_sweep();
  r.threads = {1, 2};
  r.pins = {"none", "compact"};
  return r;
}

std::vector<std::string> keys(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& c : p.configs) out.push_back(c.config.key());
  return out;
}

}  // namespace

TEST_CASE("shards partition a real sweep: disjoint, complete, stable, balanced", "[shard]") {
  set_cache_override("l1d=32K,l2=512K,l3=32M");
  const Plan whole = expand(request());
  const auto all = keys(whole);
  REQUIRE(all.size() > 20);
  REQUIRE(std::set<std::string>(all.begin(), all.end()).size() == all.size());
  std::map<Status, int> statuses;
  for (const auto& c : whole.configs) ++statuses[c.status];
  REQUIRE(statuses[Status::rejected] > 0);
  REQUIRE(statuses[Status::pruned] > 0);

  for (int n : {1, 2, 3, 4, 7, static_cast<int>(all.size()), static_cast<int>(all.size()) + 3}) {
    INFO("N = " << n);
    std::map<std::string, int> owner;
    std::size_t smallest = all.size(), largest = 0;
    for (int k = 0; k < n; ++k) {
      Plan p = expand(request());
      keep_shard(p, Shard{k, n});
      const auto mine = keys(p);
      // Stable: expanding the same sweep again gives the same shard.
      Plan again = expand(request());
      keep_shard(again, Shard{k, n});
      CHECK(keys(again) == mine);
      // Position i of the whole plan belongs to shard i % N, in the plan's order.
      for (std::size_t j = 0; j < mine.size(); ++j) CHECK(mine[j] == all[j * n + k]);
      for (const auto& key : mine) {
        INFO(key);
        CHECK(owner.emplace(key, k).second);  // disjoint
      }
      smallest = std::min(smallest, mine.size());
      largest = std::max(largest, mine.size());
      // Calibrations: one per (threads, pin) of the shard's runnable configs, none for the others.
      std::vector<Axes> wanted;
      for (const auto& c : p.configs)
        if (c.status == Status::measured) {
          const Axes a{c.config.axes.threads, c.config.axes.pin, "hot", 0};
          if (std::find(wanted.begin(), wanted.end(), a) == wanted.end()) wanted.push_back(a);
        }
      CHECK(p.calibrations == wanted);
      for (const auto& a : p.calibrations)
        CHECK(std::find(whole.calibrations.begin(), whole.calibrations.end(), a) != whole.calibrations.end());
      // The columns stay those of the whole sweep, so every shard writes the same header.
      CHECK(p.columns == whole.columns);
    }
    CHECK(owner.size() == all.size());  // complete
    CHECK(largest - smallest <= 1);     // balanced
  }
  set_cache_override("");
}

TEST_CASE("a shard of rejected configs only has no calibration", "[shard]") {
  Plan p;
  PlannedConfig measured, rejected;
  measured.config = Config{"gemm", "naive", Dims{{{"m", 8}}}, {}, Axes{2, "compact", "cold", 4}};
  rejected.config = Config{"gemm", "naive", Dims{{{"m", 9}}}, {}, Axes{1, "none", "hot", 0}};
  rejected.status = Status::rejected;
  p.configs = {measured, rejected, measured, rejected};
  p.calibrations = calibrations_of(p.configs);
  Plan odd = p, even = p;
  keep_shard(odd, Shard{1, 2});
  keep_shard(even, Shard{0, 2});
  CHECK(odd.configs.size() == 2);
  CHECK(odd.calibrations.empty());
  REQUIRE(even.calibrations.size() == 1);
  CHECK(even.calibrations[0] == Axes{2, "compact", "hot", 0});
  CHECK_THROWS_WITH(keep_shard(p, Shard{2, 2}), Catch::Contains("0 ≤ K < N"));
}

TEST_CASE("shard K/N is parsed and bad text refused with the allowed form", "[shard]") {
  CHECK(parse_shard("0/1") == Shard{0, 1});
  CHECK(parse_shard("3/4") == Shard{3, 4});
  CHECK(parse_shard("12/100").text() == "12/100");
  for (const char* bad : {"", "3", "/4", "1/", "4/4", "5/4", "-1/4", "1/-4", "0/0", "a/4", "1/b", "1/4/2", " 1/4",
                          "1/4 ", "+1/4", "1.0/4", "99999999999/4"}) {
    INFO(bad);
    try {
      parse_shard(bad);
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Catch::Contains(std::string("'") + bad + "'"));
      CHECK_THAT(what, Catch::Contains("K/N with 0 ≤ K < N"));
    }
  }
}
