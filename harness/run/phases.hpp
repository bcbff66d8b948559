#pragma once
// Where the wall time of a sweep goes: the harness's own cost next to the timed loops it exists to
// run. Each phase accumulates nanoseconds from every thread (thread-safe); the wall clock runs from
// the start of the process (or the last phases_reset()), and `other` is the wall time no phase
// claimed (expansion, sinks unless they time themselves, start-up).
//
//   alloc      allocating workspace copies and first-touching them (prepare)
//   check      one call on a fresh workspace and its comparison, without the reference
//   reference  computing the double-precision references (once per kernel, shape and seed)
//   warmup     one call on every workspace copy before timing
//   estimate   choosing the iteration count of the timed loops (a pilot loop, or Google Benchmark's
//              own growing runs), and Google Benchmark's bookkeeping between loops
//   timed      the timed loops whose repetitions a row reports (noop calibration rows included)
//   calibration the repetitions of the calibration kernel interleaved with a config's (--calibrate)
//   counters   opening, starting, stopping and reading counter sessions (sim children included)
//   child      configs measured whole in a child process (their environment differs)
//   io         writing rows and context files, where the writers time themselves
//
// Scopes nest: a PhaseTimer opened inside another on the same thread pauses the outer one, so each
// nanosecond is counted once.
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace cromwell {

enum class Phase { alloc, check, reference, warmup, estimate, timed, calibration, counters, child, io };
inline constexpr std::size_t kPhases = 10;
const char* phase_name(Phase p);  // "alloc", "check", ... as in phases_json()

// Adds `ns` to phase `p` (any thread; ignored while this thread is muted).
void phase_add(Phase p, std::int64_t ns);

// Moves `ns` from one phase to another (a part of a timed scope that belongs elsewhere).
void phase_move(Phase from, Phase to, std::int64_t ns);

// Times its scope into a phase (exclusive of nested timers on the same thread).
class PhaseTimer {
 public:
  explicit PhaseTimer(Phase p);
  ~PhaseTimer();
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  Phase phase_;
  bool active_;  // false on a muted thread: the timer neither counts nor pauses an outer one
  std::int64_t since_ = 0;
  PhaseTimer* outer_ = nullptr;
};

// While it lives, this thread's timers and phase_add() record nothing: for helper threads whose
// work a timer on the calling thread already covers in wall time (the parallel check).
class PhaseMute {
 public:
  PhaseMute();
  ~PhaseMute();
  PhaseMute(const PhaseMute&) = delete;
  PhaseMute& operator=(const PhaseMute&) = delete;
};

struct PhaseTotals {
  std::array<std::int64_t, kPhases> ns{};
  std::int64_t wall_ns = 0;
  std::int64_t operator[](Phase p) const { return ns[static_cast<std::size_t>(p)]; }
  std::int64_t other_ns() const;  // wall − every phase (never below 0)
  std::int64_t overhead_ns() const;  // wall − timed − calibration − check − reference − warmup: the harness's own cost
  double overhead_share() const;  // overhead / timed (0 when nothing was timed)
};

PhaseTotals phase_totals();
void phases_reset();  // zeroes every phase and restarts the wall clock

// One or two lines for the end of a sweep: the wall time split into phases, and the overhead as a
// share of the timed loops.
std::string phases_summary();
// The same figures for the run's context: seconds per phase, wall, overhead and its share.
nlohmann::ordered_json phases_json();

}  // namespace cromwell
