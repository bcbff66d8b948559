#include "harness/run/timing.hpp"

#include <exception>

#include <benchmark/benchmark.h>

namespace cromwell {
namespace {

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

}  // namespace

std::vector<double> time_calls(const std::string& name, const std::function<void(std::size_t)>& call,
                               const TimingOptions& opt, const TimedHooks& hooks) {
  std::size_t calls = 0;
  std::exception_ptr failure;
  auto body = [&](benchmark::State& st) {
    if (failure) {
      st.SkipWithError("an earlier call failed");
      for (auto _ : st) {
      }
      return;
    }
    try {
      if (hooks.start) hooks.start();
      const std::size_t first = calls;
      for (auto _ : st) call(calls++);
      if (hooks.stop) hooks.stop(calls - first);
    } catch (...) {
      failure = std::current_exception();
      st.SkipWithError("the kernel threw");
    }
  };
  benchmark::ClearRegisteredBenchmarks();
  benchmark::RegisterBenchmark(name.c_str(), body)
      ->Repetitions(opt.repetitions)
      ->MinTime(opt.min_time)
      ->UseRealTime()
      ->Unit(benchmark::kNanosecond);
  Capture capture;
  benchmark::RunSpecifiedBenchmarks(&capture);
  benchmark::ClearRegisteredBenchmarks();
  if (failure) std::rethrow_exception(failure);
  if (!capture.error.empty()) throw std::runtime_error("Google Benchmark: " + capture.error);
  return capture.ns;
}

}  // namespace cromwell
