// The calibration kernel of `sweep --calibrate` (run/calibration.hpp): chosen by the config's bound
// type, refused with the allowed names, and timed after each repetition of the config.
#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/pool.hpp"
#include "harness/run/calibration.hpp"
#include "harness/run/measure.hpp"

using namespace cromwell;

TEST_CASE("the calibration kernel follows the config's bound type", "[calibrate]") {
  Axes hot, cold;
  cold.cache = "cold";
  // GEMM 512³ (a few hundred flops per byte) is compute-bound; its FMA is the variant's widest.
  const Work gemm{2.0 * 512 * 512 * 512, 3.0 * 512 * 512 * 4};
  CHECK(calibration_name(gemm, hot, {"avx2", "fma"}) == "fma.avx2");
  CHECK(calibration_name(gemm, hot, {"avx512f"}) == "fma.avx512");
  CHECK(calibration_name(gemm, hot, {}) == "fma.baseline");
  // A copy has no flops: it reads at the level of its working set, DRAM when cold.
  const Work copy{0, 2.0 * (1 << 30)};
  CHECK(calibration_name(copy, cold, {"avx2"}) == "read.avx2.DRAM");
  CHECK(calibration_name(copy, hot, {"avx512f"}) == "read.avx512.DRAM");
  CHECK(calibration_name(Work{0, 4096}, hot, {}) == "read.avx2.L1");
  // GEMV (2 flops per 4-byte weight) is memory-bound.
  CHECK(calibration_name(Work{2.0 * 5632 * 2048, 4.0 * 5632 * 2048}, cold, {"avx2", "fma"}) == "read.avx2.DRAM");
}

TEST_CASE("a calibration runs on the config's pool and refuses a name it does not know", "[calibrate]") {
  Pool& pool = pool_for(2, "none");
  Pool::CallerPin pin(pool);
  for (const char* name : {"fma.baseline", "fma.avx2", "read.avx2.L1", "read.avx2.L2"}) {
    Calibration& c = calibration_for(name, pool);
    CHECK(c.name() == name);
    c.call();
    CHECK(&calibration_for(name, pool) == &c);  // the same one again: kept
  }
  CHECK_THROWS_WITH(Calibration("fma.sse9", pool), Catch::Contains("fma.ISA (ISA baseline, avx2, avx512)"));
  CHECK_THROWS_WITH(Calibration("read.avx2.L4", pool), Catch::Contains("LEVEL L1, L2, L3, DRAM"));
  CHECK_THROWS_WITH(Calibration("write.avx2.L1", pool), Catch::Contains("read.ISA.LEVEL"));
  if (!cpu_has("avx512f")) CHECK_THROWS_WITH(Calibration("fma.avx512", pool), Catch::Contains("this CPU lacks"));
}

TEST_CASE("with --calibrate a row carries its calibration after every repetition", "[calibrate]") {
  MeasureOptions opt;
  opt.timing.repetitions = 3;
  opt.timing.min_time = 0.002;
  opt.timing.calibrate = true;
  opt.counters.backend = "none";
  const Measurer m(opt);
  for (const char* key : {"gemm.avx2/m:67,n:65,k:129/mc:72,kc:256,nc:2048/threads:1,pin:none,cache:hot,align:0",
                          "copy.avx2/n:65537//threads:2,pin:none,cache:cold,align:0"}) {
    INFO(key);
    const Config c = parse_key(key);
    Registry::get().validate(c);
    const Record r = m.measure(c, *Registry::get().variant(c.id()));
    INFO(r.reason);
    REQUIRE(r.status == Status::measured);
    CHECK(r.samples_ns.size() == 3);
    CHECK(r.calib_ns.size() == 3);
    for (double ns : r.calib_ns) CHECK(ns > 0);
    CHECK(r.calib == (c.kernel == "gemm" ? "fma.avx2" : "read.avx2.DRAM"));
  }
  MeasureOptions plain = opt;
  plain.timing.calibrate = false;
  const Config c = parse_key("silu.naive/n:4099//threads:1,pin:none,cache:hot,align:0");
  const Record r = Measurer(plain).measure(c, *Registry::get().variant(c.id()));
  CHECK(r.calib.empty());
  CHECK(r.calib_ns.empty());
}
