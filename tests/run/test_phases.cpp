// The phase accumulator (run/phases.hpp): nested timers count each nanosecond once, a muted
// thread records nothing, and the summary and JSON carry every phase. Lower bounds only: tests
// never assert on how long things take.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "harness/run/phases.hpp"
#include "harness/run/timing.hpp"

using namespace cromwell;
using namespace std::chrono_literals;

TEST_CASE("nested phase timers pause the outer one, and a muted thread records nothing", "[phases]") {
  phases_reset();
  {
    const PhaseTimer outer(Phase::check);
    std::this_thread::sleep_for(20ms);
    {
      const PhaseTimer inner(Phase::reference);
      std::this_thread::sleep_for(20ms);
    }
  }
  std::thread([] {
    const PhaseMute mute;
    const PhaseTimer t(Phase::alloc);
    phase_add(Phase::io, 1'000'000'000);
  }).join();
  const PhaseTotals t = phase_totals();
  CHECK(t[Phase::check] >= 20'000'000);
  CHECK(t[Phase::reference] >= 20'000'000);
  CHECK(t[Phase::check] + t[Phase::reference] <= t.wall_ns);
  CHECK(t[Phase::alloc] == 0);
  CHECK(t[Phase::io] == 0);
  CHECK(t.overhead_ns() <= t.wall_ns - t[Phase::check] - t[Phase::reference]);
  phase_move(Phase::check, Phase::io, 1000);
  CHECK(phase_totals()[Phase::io] == 1000);
  const auto j = phases_json();
  for (const char* k : {"alloc", "check", "reference", "warmup", "estimate", "timed", "calibration", "counters",
                        "child", "io", "other"})
    CHECK(j["phases_s"].contains(k));
  CHECK(j.contains("overhead_share_of_timed"));
  CHECK_THAT(phases_summary(), Catch::Contains("harness time") && Catch::Contains("% of the timed loops"));
}

TEST_CASE("timing from the warm-up's estimate gives every repetition and counts the timed loops", "[phases]") {
  phases_reset();
  TimingOptions opt;
  opt.repetitions = 3;
  opt.min_time = 0.002;
  volatile double sink = 0;
  const auto call = [&](std::size_t i) {
    for (int k = 0; k < 200; ++k) sink = sink + static_cast<double>(i + k);
  };
  for (double warm : {0.0, 100.0, 1e9}) {  // unknown, a guess, and one call "longer than min_time"
    INFO("warm " << warm);
    const auto ns = time_calls("test", call, opt, {}, warm);
    REQUIRE(ns.size() == 3);
    for (double v : ns) CHECK(v > 0);
  }
  CHECK(phase_totals()[Phase::timed] > 0);
}
