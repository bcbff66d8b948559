// Measuring a config (run/measure.hpp): a timed row carries the pool's spin time per call over its
// timed loops — 0 with one thread, present for a multi-thread config, a calibration row and a
// peer that leaves the pool idle — and a row that was not timed carries none.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"
#include "harness/platform/pool.hpp"
#include "harness/run/measure.hpp"

using namespace cromwell;

namespace {

Measurer quick() {
  MeasureOptions opt;
  opt.timing.repetitions = 2;
  opt.timing.min_time = 0.002;
  opt.counters.backend = "none";
  return Measurer(opt);
}

Record measure_key(const Measurer& m, const std::string& key, bool time = true) {
  const Config c = parse_key(key);
  Registry::get().validate(c);
  return m.measure(c, *Registry::get().variant(c.id()), time);
}

}  // namespace

TEST_CASE("a measured row carries spin_ns: the pool's spin time per call in the timed loops") {
  const Measurer m = quick();
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    const Record r = measure_key(m, fmt::format("silu.naive/n:65537//threads:{},pin:none,cache:hot,align:0", threads));
    INFO(r.reason);
    REQUIRE(r.status == Status::measured);
    REQUIRE(r.spin_ns);
    CHECK(*r.spin_ns >= 0);
    if (threads == 1) CHECK(*r.spin_ns == 0);  // a pool of one thread never waits
  }
  // Not timed: no spin time, as no time.
  const Record checked = measure_key(m, "silu.naive/n:4099//threads:2,pin:none,cache:hot,align:0", false);
  CHECK(checked.status == Status::measured);
  CHECK(!checked.time_ns);
  CHECK(!checked.spin_ns);
}

TEST_CASE("a calibration row carries spin_ns, and its caller spins while the workers answer") {
  const Measurer m = quick();
  const Record r = m.calibrate(Axes{2, "none", "hot", 0});
  INFO(r.reason);
  REQUIRE(r.status == Status::measured);
  REQUIRE(r.spin_ns);
  CHECK(*r.spin_ns >= 0);
  // Every empty fork-join makes the caller wait for the worker's answer, spinning when it may.
  if (pool_for(2, "none").spin_budget_ns() > 0) CHECK(*r.spin_ns > 0);
}

TEST_CASE("a peer with its own threads gets spin_ns too: the pool's threads idle while it runs") {
  const Measurer m = quick();
  const Record r = measure_key(m, "gemm.openblas/m:17,n:19,k:23/core:auto/threads:2,pin:none,cache:hot,align:0");
  INFO(r.reason);
  REQUIRE(r.status == Status::measured);
  REQUIRE(r.spin_ns);
  CHECK(*r.spin_ns >= 0);
}
