#include "harness/run/phases.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>

#include <fmt/format.h>

namespace cromwell {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Accumulator {
  std::array<std::atomic<std::int64_t>, kPhases> ns{};
  std::atomic<std::int64_t> start = now_ns();  // set when the library loads: about the process's start
};

Accumulator& acc() {
  static Accumulator a;
  return a;
}
// Loaded with the library, so the wall clock starts before main().
const bool g_started = (acc(), true);

thread_local PhaseTimer* tl_current = nullptr;
thread_local int tl_muted = 0;

constexpr const char* kNames[kPhases] = {"alloc", "check",       "reference", "warmup", "estimate",
                                         "timed", "calibration", "counters",  "child",  "io"};
constexpr const char* kLabels[kPhases] = {"alloc + first touch", "check",       "reference",   "warm-up",
                                          "iteration estimate",  "timed loops", "calibration", "counters",
                                          "child processes",     "I/O"};

double seconds(std::int64_t ns) { return static_cast<double>(ns) * 1e-9; }

}  // namespace

const char* phase_name(Phase p) { return kNames[static_cast<std::size_t>(p)]; }

void phase_add(Phase p, std::int64_t ns) {
  if (tl_muted || ns <= 0) return;
  acc().ns[static_cast<std::size_t>(p)].fetch_add(ns, std::memory_order_relaxed);
}

void phase_move(Phase from, Phase to, std::int64_t ns) {
  if (tl_muted || ns <= 0) return;
  acc().ns[static_cast<std::size_t>(from)].fetch_sub(ns, std::memory_order_relaxed);
  acc().ns[static_cast<std::size_t>(to)].fetch_add(ns, std::memory_order_relaxed);
}

PhaseTimer::PhaseTimer(Phase p) : phase_(p), active_(tl_muted == 0) {
  if (!active_) return;
  since_ = now_ns();
  outer_ = tl_current;
  if (outer_) phase_add(outer_->phase_, since_ - outer_->since_);
  tl_current = this;
}

PhaseTimer::~PhaseTimer() {
  if (!active_) return;
  const std::int64_t now = now_ns();
  phase_add(phase_, now - since_);
  tl_current = outer_;
  if (outer_) outer_->since_ = now;
}

PhaseMute::PhaseMute() { ++tl_muted; }
PhaseMute::~PhaseMute() { --tl_muted; }

std::int64_t PhaseTotals::other_ns() const {
  std::int64_t sum = 0;
  for (auto v : ns) sum += v;
  return std::max<std::int64_t>(0, wall_ns - sum);
}

std::int64_t PhaseTotals::overhead_ns() const {
  return std::max<std::int64_t>(0, wall_ns - (*this)[Phase::timed] - (*this)[Phase::calibration] -
                                       (*this)[Phase::check] - (*this)[Phase::reference] - (*this)[Phase::warmup]);
}

double PhaseTotals::overhead_share() const {
  const std::int64_t t = (*this)[Phase::timed];
  return t > 0 ? static_cast<double>(overhead_ns()) / static_cast<double>(t) : 0.0;
}

PhaseTotals phase_totals() {
  (void)g_started;
  PhaseTotals t;
  for (std::size_t i = 0; i < kPhases; ++i) t.ns[i] = acc().ns[i].load(std::memory_order_relaxed);
  t.wall_ns = now_ns() - acc().start.load(std::memory_order_relaxed);
  return t;
}

void phases_reset() {
  for (auto& v : acc().ns) v.store(0, std::memory_order_relaxed);
  acc().start.store(now_ns(), std::memory_order_relaxed);
}

std::string phases_summary() {
  const PhaseTotals t = phase_totals();
  std::string parts;
  for (std::size_t i = 0; i < kPhases; ++i)
    if (t.ns[i] > 0) parts += fmt::format(", {} {:.2f} s", kLabels[i], seconds(t.ns[i]));
  return fmt::format(
      "harness time: {:.1f} s wall{}, other {:.2f} s\n"
      "overhead (all but the timed loops, calibration, check, reference and warm-up): {:.2f} s = {:.1f} % of the timed "
      "loops",
      seconds(t.wall_ns), parts, seconds(t.other_ns()), seconds(t.overhead_ns()), 100 * t.overhead_share());
}

nlohmann::ordered_json phases_json() {
  const PhaseTotals t = phase_totals();
  nlohmann::ordered_json j;
  j["wall_s"] = seconds(t.wall_ns);
  nlohmann::ordered_json ph;
  for (std::size_t i = 0; i < kPhases; ++i) ph[kNames[i]] = seconds(t.ns[i]);
  ph["other"] = seconds(t.other_ns());
  j["phases_s"] = std::move(ph);
  j["overhead_s"] = seconds(t.overhead_ns());
  j["overhead_share_of_timed"] = t.overhead_share();
  return j;
}

}  // namespace cromwell
