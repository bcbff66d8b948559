// Sweep expansion over the real registry: kernels × variants × shapes × spaces × axes, with
// rejected and pruned points kept with their reasons, calibrations per (threads, pin), and bad
// input refused before anything runs.
#include <catch2/catch.hpp>

#include <map>

#include "harness/platform/machine.hpp"
#include "harness/run/expand.hpp"

using namespace cromwell;

namespace {

std::map<Status, int> count(const Plan& p) {
  std::map<Status, int> n;
  for (const auto& c : p.configs) ++n[c.status];
  return n;
}

}  // namespace

TEST_CASE("expansion is the product of shapes, points and axes") {
  SweepRequest r;
  r.filters = {"gemm.blocked"};
  r.shapes = {"m:16,n:16,k:16", "m:32"};  // a missing dim takes the kernel's default
  r.sets = {{"tile", "8,16,24"}};
  r.threads = {1, 2};
  r.caches = {"hot", "cold"};
  const Plan p = expand(r);
  CHECK(p.configs.size() == 2 * 3 * 2 * 2);
  CHECK(p.configs.front().config.key() == "gemm.blocked/m:16,n:16,k:16/tile:8/threads:1,pin:none,cache:hot,align:0");
  CHECK(p.configs[12].config.shape.str() == "m:32,n:512,k:512");
  CHECK(p.columns.dims == std::vector<std::string>{"m", "n", "k"});
  CHECK(p.columns.params == std::vector<std::string>{"tile"});
  // One calibration per (threads, pin) among runnable configs, always hot and aligned.
  REQUIRE(p.calibrations.size() == 2);
  CHECK(p.calibrations[0] == Axes{1, "none", "hot", 0});
  CHECK(p.calibrations[1] == Axes{2, "none", "hot", 0});
}

TEST_CASE("rejected and pruned points stay in the plan with their reasons") {
  set_cache_override("l1d=32K,l2=512K,l3=32M");
  SweepRequest r = default_sweep();
  r.threads = {1};
  const Plan p = expand(r);
  auto n = count(p);
  CHECK(n[Status::measured] > 0);
  CHECK(n[Status::rejected] > 0);
  CHECK(n[Status::pruned] > 0);
  for (const auto& c : p.configs) {
    INFO(c.config.key());
    if (c.status == Status::rejected) CHECK(!c.reason.empty());
    if (c.status == Status::pruned) CHECK_THAT(c.reason, Catch::Contains("--no-prune runs it anyway"));
  }
  r.no_prune = true;
  n = count(expand(r));
  CHECK(n[Status::pruned] == 0);
  set_cache_override("");
}

TEST_CASE("a pinning the machine cannot meet is a rejected row, not an error") {
  SweepRequest r;
  r.filters = {"gemm.naive"};
  r.shapes = {"m:4,n:4,k:4"};
  r.threads = {1, 4096 / 4};
  r.pins = {"cores"};
  const Plan p = expand(r);
  REQUIRE(p.configs.size() == 2);
  CHECK(p.configs[1].status == Status::rejected);
  CHECK_THAT(p.configs[1].reason, Catch::Contains("cores"));
}

TEST_CASE("bad sweep input is refused before anything runs") {
  struct Case {
    SweepRequest r;
    std::string message;
  };
  auto with = [](auto change) {
    SweepRequest r;
    r.filters = {"gemm.blocked"};
    change(r);
    return r;
  };
  const std::vector<Case> cases = {
      {with([](SweepRequest& r) { r.filters = {"nosuch.*"}; }), "selects no variant"},
      {with([](SweepRequest& r) { r.filters = {"nosuch.naive"}; }), "unknown kernel 'nosuch'"},
      {with([](SweepRequest& r) {
         r.sets = {{"bogus", "1"}};
       }),
       "no selected variant has a parameter 'bogus'"},
      {with([](SweepRequest& r) {
         r.sets = {{"tile", "5000"}};
       }),
       "tile=5000 is not valid: allowed 8..4096"},
      {with([](SweepRequest& r) { r.threads = {0}; }), "--threads 0: a thread count must be ≥ 1"},
      {with([](SweepRequest& r) { r.threads = {2000}; }), "--threads 2000: at most 1024"},
      {with([](SweepRequest& r) { r.threads = {}; }), "--threads: empty list"},
      {with([](SweepRequest& r) { r.pins = {"sideways"}; }), "sideways"},
      {with([](SweepRequest& r) { r.caches = {"warm"}; }), "--cache warm: allowed hot|cold"},
      {with([](SweepRequest& r) { r.aligns = {64}; }), "--align 64: allowed 0..63"},
      {with([](SweepRequest& r) { r.preset = "huge"; }), "--shapes huge: allowed llm"},
      {with([](SweepRequest& r) { r.shapes = {"x:4"}; }), "no selected kernel has exactly these dimensions"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    CHECK_THROWS_WITH(expand(c.r), Catch::Contains(c.message));
  }
}

TEST_CASE("the llm preset gives every kernel the engine's shapes") {
  SweepRequest r;
  r.filters = {"gemv.naive", "attn_scores.naive"};
  r.preset = "llm";
  const Plan p = expand(r);
  bool mlp_down = false, decode_4096 = false;
  for (const auto& c : p.configs) {
    mlp_down = mlp_down || c.config.shape.str() == "n:2048,k:5632";
    decode_4096 = decode_4096 || c.config.shape.str().find("cache_len:4096") != std::string::npos;
  }
  CHECK(mlp_down);
  CHECK(decode_4096);
}
