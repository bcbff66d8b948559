#pragma once
// Timing through Google Benchmark: one registered benchmark per config, real time, a number of
// repetitions of at least `min_time` seconds each; returns the time per call of each repetition.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/options.hpp"

namespace cromwell {

// Called around the timed loop of every repetition only (counters start/stop here).
struct TimedHooks {
  std::function<void()> start;
  std::function<void(std::size_t calls)> stop;  // calls made by the loop that just ended
};

// `call(i)` is one kernel call; i counts calls across repetitions (cold-cache rotation uses it).
// Exceptions from `call` stop the measurement and are rethrown.
//
// The iteration count of the timed loops. Without `warm_ns_per_call`, Google Benchmark finds it: it
// runs 1, 10, 100 … iterations until a run takes a tenth of min_time, then 1.4 × min_time's worth,
// which it reports as the first repetition (the runs before it cost up to about min_time per
// config). With it (the warm-up's time per call; 0 when unknown), the same rule runs here on a
// pilot loop that starts from that estimate — one run of about a tenth of min_time, or none when
// one warm-up call took min_time — and Google Benchmark runs every repetition with that
// fixed count (as Google Benchmark runs its repetitions after the first). The repetitions keep
// their meaning — the same count of calls, sized for 1.4 × min_time — and when the median one
// lasts less than min_time the whole measurement is made again Google Benchmark's way.
std::vector<double> time_calls(const std::string& name, const std::function<void(std::size_t)>& call,
                               const TimingOptions& opt, const TimedHooks& hooks = {},
                               std::optional<double> warm_ns_per_call = std::nullopt);

// With --calibrate (calibration.hpp): the config's repetitions, each followed by one of the
// calibration's, with an iteration count of its own sized by its own pilot (the calibration's time
// goes to Phase::calibration). The config's count is chosen as time_calls chooses it from the
// warm-up's estimate; when its median repetition lasts less than min_time, both series are
// measured again with the count sized from that median.
struct Interleaved {
  std::vector<double> ns, calib_ns;  // per call, one per repetition
};
Interleaved time_interleaved(const std::string& name, const std::function<void(std::size_t)>& call,
                             const std::string& calib_name, const std::function<void()>& calib,
                             const TimingOptions& opt, const TimedHooks& hooks, double warm_ns_per_call);

// The iteration count time_calls gives Google Benchmark for repetitions of min_time: the pilot
// loop from the warm-up's time per call (0 when unknown). `calls` counts the calls it made.
std::int64_t iterations_for(const std::function<void(std::size_t)>& call, const TimingOptions& opt, std::size_t& calls,
                            double warm_ns_per_call);

// One repetition of exactly `iterations` calls through Google Benchmark; the time per call.
// `calls` counts calls across repetitions (the cold-cache rotation continues).
double time_repetition(const std::string& name, const std::function<void(std::size_t)>& call, std::int64_t iterations,
                       std::size_t& calls);

}  // namespace cromwell
