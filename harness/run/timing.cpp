#include "harness/run/timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>

#include <benchmark/benchmark.h>

#include "harness/run/phases.hpp"

namespace cromwell {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

// Collects the per-repetition results and prints nothing (our sinks do the printing).
class Capture final : public benchmark::BenchmarkReporter {
 public:
  std::vector<double> ns;
  std::string error;
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred)
        error = r.error_message;
      else if (r.run_type == Run::RT_Iteration)
        ns.push_back(r.GetAdjustedRealTime());
    }
  }
};

struct Attempt {
  std::vector<double> ns;     // per call, one per repetition
  std::int64_t timed_ns = 0;  // the reported runs of the body, without the hooks
  std::int64_t hooks_ns = 0;  // the hooks (counters)
  std::int64_t total_ns = 0;  // all of it, Google Benchmark's own work included
};

// One measurement through Google Benchmark; `iterations` 0: Google Benchmark chooses.
Attempt run_benchmark(const std::string& name, const std::function<void(std::size_t)>& call, const TimingOptions& opt,
                      const TimedHooks& hooks, std::size_t& calls, std::int64_t iterations) {
  std::exception_ptr failure;
  Attempt a;
  // The wall time of every run of the body, without its hooks: Google Benchmark reports the last
  // `repetitions` runs; the runs before them found the iteration count.
  std::vector<std::int64_t> run_ns;
  auto body = [&](benchmark::State& st) {
    const auto t0 = Clock::now();
    std::int64_t hooked = 0;
    if (failure) {
      st.SkipWithError("an earlier call failed");
      for (auto _ : st) {
      }
      return;
    }
    try {
      if (hooks.start) {
        const auto h = Clock::now();
        hooks.start();
        hooked += ns_between(h, Clock::now());
      }
      const std::size_t first = calls;
      for (auto _ : st) call(calls++);
      if (hooks.stop) {
        const auto h = Clock::now();
        hooks.stop(calls - first);
        hooked += ns_between(h, Clock::now());
      }
    } catch (...) {
      failure = std::current_exception();
      st.SkipWithError("the kernel threw");
    }
    a.hooks_ns += hooked;
    run_ns.push_back(ns_between(t0, Clock::now()) - hooked);
  };
  const auto start = Clock::now();
  benchmark::ClearRegisteredBenchmarks();
  auto* b = benchmark::RegisterBenchmark(name.c_str(), body)
                ->Repetitions(opt.repetitions)
                ->UseRealTime()
                ->Unit(benchmark::kNanosecond);
  // Google Benchmark takes one or the other (checked by time_calls: every repetition ≥ min_time).
  if (iterations > 0)
    b->Iterations(iterations);
  else
    b->MinTime(opt.min_time);
  Capture capture;
  benchmark::RunSpecifiedBenchmarks(&capture);
  benchmark::ClearRegisteredBenchmarks();
  for (std::size_t i = run_ns.size() - std::min(run_ns.size(), capture.ns.size()); i < run_ns.size(); ++i)
    a.timed_ns += run_ns[i];
  a.total_ns = ns_between(start, Clock::now());
  if (failure) {
    phase_add(Phase::timed, a.timed_ns);
    phase_add(Phase::counters, a.hooks_ns);
    phase_add(Phase::estimate, a.total_ns - a.timed_ns - a.hooks_ns);
    std::rethrow_exception(failure);
  }
  if (!capture.error.empty()) throw std::runtime_error("Google Benchmark: " + capture.error);
  a.ns = std::move(capture.ns);
  return a;
}

// Google Benchmark's rule (benchmark_runner.cc, 1.7.1) on a pilot loop, at half its length: grow the
// run until it takes a twentieth of min_time, then size the timed runs at 1.4 × min_time. Starts
// from the warm-up's time per call (aiming at a tenth of min_time), so one pilot run usually
// suffices; none when the warm-up call alone took min_time (Google Benchmark would then time one
// call per repetition). The pilot is the harness's cost: at a fifth of min_time it was 3 % of the
// timed loops of 5 repetitions; a repetition it sized too short is caught by time_calls.
std::int64_t iterations_from_pilot(const std::function<void(std::size_t)>& call, const TimingOptions& opt,
                                   std::size_t& calls, double warm_ns_per_call) {
  const double min_ns = opt.min_time * 1e9;
  constexpr double kMaxIterations = 1e9;  // Google Benchmark's cap
  double per_call = warm_ns_per_call;
  // The warm-up call is often slower than the calls after it (first use of a packing buffer, a
  // workspace just taken over): it sizes the pilot, and decides alone only when one call is a
  // repetition already.
  if (!(per_call >= min_ns)) {
    double n = per_call > 0 ? std::ceil(0.1 * min_ns / per_call) : 1;
    while (true) {
      n = std::min(n, kMaxIterations);
      const auto t0 = Clock::now();
      for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) call(calls++);
      const double t = static_cast<double>(ns_between(t0, Clock::now()));
      per_call = std::max(t, 1.0) / n;
      if (t >= 0.05 * min_ns || n >= kMaxIterations) {
        // On a shared host one short run may lose the CPU for a while: the faster of the two
        // observations is nearer the calls' own time (a longer repetition is safe, a shorter not).
        if (warm_ns_per_call > 0) per_call = std::min(per_call, warm_ns_per_call);
        break;
      }
      // Aim at a tenth of min_time; grow at least tenfold when the run was too short to measure.
      n = std::max(std::ceil(0.1 * min_ns / per_call), t < 1e5 ? 10 * n : 2 * n);
    }
  }
  if (per_call >= min_ns) return 1;  // one call is a repetition already
  return static_cast<std::int64_t>(std::min(kMaxIterations, std::max(1.0, std::round(1.4 * min_ns / per_call))));
}

}  // namespace

std::int64_t iterations_for(const std::function<void(std::size_t)>& call, const TimingOptions& opt, std::size_t& calls,
                            double warm_ns_per_call) {
  const PhaseTimer t(Phase::estimate);
  return iterations_from_pilot(call, opt, calls, warm_ns_per_call);
}

double time_repetition(const std::string& name, const std::function<void(std::size_t)>& call, std::int64_t iterations,
                       std::size_t& calls) {
  TimingOptions one;
  one.repetitions = 1;
  const Attempt a = run_benchmark(name, call, one, {}, calls, std::max<std::int64_t>(iterations, 1));
  phase_add(Phase::timed, a.timed_ns);
  phase_add(Phase::estimate, a.total_ns - a.timed_ns);
  return a.ns.at(0);
}

Interleaved time_interleaved(const std::string& name, const std::function<void(std::size_t)>& call,
                             const std::string& calib_name, const std::function<void()>& calib,
                             const TimingOptions& opt, const TimedHooks& hooks, double warm_ns_per_call) {
  std::size_t calls = 0, calib_calls = 0;
  const auto calib_call = [&](std::size_t) { calib(); };
  std::int64_t n = iterations_for(call, opt, calls, warm_ns_per_call), m = 0;
  {
    const PhaseTimer t(Phase::calibration);
    m = iterations_from_pilot(calib_call, opt, calib_calls, 0);
  }
  TimingOptions one = opt;
  one.repetitions = 1;
  for (int attempt = 0;; ++attempt) {
    Interleaved out;
    std::int64_t timed = 0;
    for (int r = 0; r < opt.repetitions; ++r) {
      const Attempt a = run_benchmark(name, call, one, hooks, calls, n);
      phase_add(Phase::timed, a.timed_ns);
      phase_add(Phase::counters, a.hooks_ns);
      phase_add(Phase::estimate, a.total_ns - a.timed_ns - a.hooks_ns);
      timed += a.timed_ns;
      out.ns.push_back(a.ns.at(0));
      const Attempt c = run_benchmark(calib_name, calib_call, one, {}, calib_calls, m);
      phase_add(Phase::calibration, c.total_ns);
      out.calib_ns.push_back(c.ns.at(0));
    }
    std::vector<double> sorted = out.ns;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    if (attempt == 1 || median * static_cast<double>(n) >= opt.min_time * 1e9) return out;
    phase_move(Phase::timed, Phase::estimate, timed);  // too short: the pilot misjudged
    n = static_cast<std::int64_t>(std::max(1.0, std::round(1.4 * opt.min_time * 1e9 / std::max(median, 1.0))));
  }
}

std::vector<double> time_calls(const std::string& name, const std::function<void(std::size_t)>& call,
                               const TimingOptions& opt, const TimedHooks& hooks,
                               std::optional<double> warm_ns_per_call) {
  std::size_t calls = 0;
  if (warm_ns_per_call) {
    std::int64_t iterations = 0;
    {
      const PhaseTimer t(Phase::estimate);
      iterations = iterations_from_pilot(call, opt, calls, *warm_ns_per_call);
    }
    Attempt a = run_benchmark(name, call, opt, hooks, calls, iterations);
    // The median repetition must last min_time: a pilot that misjudged the time per call moves them
    // all, while one repetition sped up by a quiet moment on a shared host does not. (Google
    // Benchmark checks its first repetition only; later ones run the same count unchecked.)
    std::vector<double> sorted = a.ns;
    std::sort(sorted.begin(), sorted.end());
    const bool long_enough = sorted.size() == static_cast<std::size_t>(opt.repetitions) &&
                             sorted[sorted.size() / 2] * static_cast<double>(iterations) >= opt.min_time * 1e9;
    if (long_enough) {
      phase_add(Phase::timed, a.timed_ns);
      phase_add(Phase::counters, a.hooks_ns);
      phase_add(Phase::estimate, a.total_ns - a.timed_ns - a.hooks_ns);
      return a.ns;
    }
    // Too short: the pilot misjudged; all of this attempt was the estimate's cost.
    phase_add(Phase::counters, a.hooks_ns);
    phase_add(Phase::estimate, a.total_ns - a.hooks_ns);
  }
  Attempt a = run_benchmark(name, call, opt, hooks, calls, 0);
  phase_add(Phase::timed, a.timed_ns);
  phase_add(Phase::counters, a.hooks_ns);
  phase_add(Phase::estimate, a.total_ns - a.timed_ns - a.hooks_ns);
  return a.ns;
}

}  // namespace cromwell
