// Checking a plan on several threads (run/check_plan.hpp) reports exactly what the serial check
// reports, in the same order, including configs that must run alone (2 threads, a peer library).
#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"
#include "harness/run/check_plan.hpp"
#include "harness/run/runner.hpp"

using namespace cromwell;

namespace {

struct Rows final : Sink {
  std::vector<std::string> rows;
  bool finished = false;
  void write(const Record& r) override {
    rows.push_back(r.config.key() + " " + std::string(to_string(r.status)) + " " + r.reason);
  }
  void finish() override { finished = true; }
};

}  // namespace

TEST_CASE("a variant runs beside others only on the one-thread unpinned pool or in its own process", "[check]") {
  const Registry& reg = Registry::get();
  const VariantEntry& naive = *reg.variant("gemm.naive");
  const VariantEntry& peer = *reg.variant("gemm.openblas");
  auto config = [](const VariantEntry& v, int threads, const std::string& pin) {
    return Config{v.kernel, v.name, Dims{{{"m", 3}, {"n", 3}, {"k", 3}}}, v.space.defaults(),
                  Axes{threads, pin, "hot", 0}};
  };
  CHECK(checks_beside_others(config(naive, 1, "none"), naive));
  CHECK(!checks_beside_others(config(naive, 2, "none"), naive));
  CHECK(!checks_beside_others(config(naive, 1, "compact"), naive));
  if (!peer.child_env(peer.space.defaults()))  // core auto: in this process, with its own threads
    CHECK(!checks_beside_others(config(peer, 1, "none"), peer));
  CHECK(available_cpus() >= 1);
}

TEST_CASE("the parallel check reports the same rows in the same order as the serial one", "[check]") {
  SweepRequest req;
  req.filters = {"gemm.naive", "gemm.blocked", "gemm.openblas", "softmax.*", "silu.*", "read.*"};
  req.check_shapes = true;
  req.no_prune = true;
  req.threads = {1, 2};
  const Plan plan = expand(req);
  REQUIRE(plan.configs.size() > 20);
  MeasureOptions mo;
  mo.counters.backend = "none";
  const Measurer m(mo);
  Rows serial, parallel;
  const RunSummary s = run_plan(plan, m, {&serial}, /*time=*/false);
  const RunSummary p = check_plan(plan, m, {&parallel}, 4);
  CHECK(parallel.finished);
  CHECK(parallel.rows == serial.rows);
  CHECK(p.counts() == s.counts());
  CHECK(p.measured > 0);
}
