#include "harness/run/measure.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/platform/steal.hpp"
#include "harness/platform/text.hpp"
#include "harness/roofline/bound.hpp"
#include "harness/run/calibration.hpp"
#include "harness/run/child.hpp"
#include "harness/run/phases.hpp"
#include "harness/run/prepare.hpp"
#include "harness/run/stats.hpp"
#include "harness/run/timing.hpp"

namespace cromwell {
namespace {

// The pool's spin time over the timed loops only: read as each loop starts and ends, per call.
class SpinMeter {
 public:
  explicit SpinMeter(const Pool& pool) : pool_(pool) {}
  void start() { at_ = pool_.spin_time_ns(); }
  void stop(std::size_t calls) {
    spun_ += std::max<std::int64_t>(0, pool_.spin_time_ns() - at_);  // two readings may overlap by a few ns
    calls_ += calls;
  }
  std::optional<double> per_call() const {
    return calls_ ? std::optional(double(spun_) / double(calls_)) : std::nullopt;
  }

 private:
  const Pool& pool_;
  std::int64_t at_ = 0, spun_ = 0;
  std::size_t calls_ = 0;
};

}  // namespace

Measurer::Measurer(MeasureOptions opt, bool in_child) : opt_(std::move(opt)), in_child_(in_child) {
  if (opt_.timing.repetitions < 1)
    throw std::invalid_argument(fmt::format("--repetitions {}: must be ≥ 1", opt_.timing.repetitions));
  if (!(opt_.timing.min_time > 0) || opt_.timing.min_time > 3600)
    throw std::invalid_argument(fmt::format("--min-time {}: must be > 0 and ≤ 3600 seconds", opt_.timing.min_time));
  BackendChoice choice = make_backend(opt_.counters, child_command(opt_));
  backend_ = std::move(choice.backend);
  why_ = std::move(choice.why);
}

Record Measurer::measure(const Config& c, const VariantEntry& v, bool time) const {
  Record r;
  r.config = c;
  r.counters_source = "none";
  if (v.note) r.note = v.note(c.params, c.axes.threads);
  if (auto missing = missing_isa(v.isa); !missing.empty()) {
    r.status = Status::unsupported;
    r.reason = fmt::format("this CPU lacks {}", missing);
    return r;
  }
  try {
    if (v.child_env && !in_child_)
      if (auto env = v.child_env(c.params)) {
        const PhaseTimer t(Phase::child);
        return measure_in_child(c, *env, opt_, time);
      }
    // Cold-cache copies only when timing (the check uses the first workspace alone); workspaces of
    // the same data pass from one config to the next (InstanceOptions::reuse).
    Prepared p =
        prepare(c, v, {opt_.seed, opt_.cold_bytes, /*check=*/true, /*warm=*/time, /*copies=*/time, /*reuse=*/true});
    if (!p.check.ok) {
      r.status = Status::failed;
      r.reason = p.check.detail;
      p.release();
      return r;
    }
    if (!time) {
      p.release();
      return r;
    }
    const auto pin = p.pin();
    std::unique_ptr<CounterSession> session;
    {
      const PhaseTimer t(Phase::counters);
      session = backend_->open(*p.pool);
    }
    SpinMeter spin(*p.pool);
    // The spin readings inside the counting: the counter sessions' own work is not spin.
    const TimedHooks hooks = {[&] {
                                if (session) session->start();
                                spin.start();
                              },
                              [&](std::size_t calls) {
                                spin.stop(calls);
                                if (session) session->stop(calls);
                              }};
    const Work w = p.instance->work();
    const std::vector<std::string> isa = v.runtime_isa ? split(v.runtime_isa(), ',') : v.isa;
    Calibration* calibration = nullptr;
    if (opt_.timing.calibrate) {
      r.calib = calibration_name(w, c.axes, isa);
      const PhaseTimer t(Phase::alloc);
      calibration = &calibration_for(r.calib, *p.pool);
    }
    const auto call = [&](std::size_t i) { p.call(i); };
    const CpuTimes before = read_cpu_times();
    // The iteration count from the warm-up's calls and a short pilot (timing.hpp).
    if (calibration) {
      Interleaved t = time_interleaved(
          c.key(), call, r.calib, [calibration] { calibration->call(); }, opt_.timing, hooks, p.warm_ns_per_call);
      r.samples_ns = std::move(t.ns);
      r.calib_ns = std::move(t.calib_ns);
    } else {
      r.samples_ns = time_calls(c.key(), call, opt_.timing, hooks, p.warm_ns_per_call);
    }
    r.steal_pct = steal_pct(before, read_cpu_times());
    r.spin_ns = spin.per_call();
    summarize(r, w.flops, w.bytes);
    place_on_roofline(r, w, isa);
    r.counters_source = backend_->source();
    r.counters_scope = backend_->scope();
    // A peer with threads of its own (OpenBLAS) runs its work on them; the counters follow the pool.
    if (session && !v.uses_pool)
      r.counters_scope += "; a peer with its own threads: only the calling thread is counted";
    {
      const PhaseTimer t(Phase::counters);
      if (session) r.metrics = session->finish();
      backend_->annotate(r);
    }
    r.counters_reason = reasons_of(r.metrics);
    p.release();
  } catch (const std::exception& e) {
    r.status = Status::error;
    r.reason = e.what();
  }
  return r;
}

Record Measurer::calibrate(const Axes& axes) const {
  Record r;
  r.config.kernel = "noop";
  r.config.variant = "forkjoin";
  r.config.axes = axes;
  r.config.axes.cache = "hot";
  r.config.axes.align = 0;
  r.counters_source = "none";
  r.note = "timer + fork-join cost of one empty pool.run(); a calibration row: no counters";
  try {
    Pool& pool = pool_for(axes.threads, axes.pin);
    Pool::CallerPin pin(pool);
    const auto noop = [](int) {};
    SpinMeter spin(pool);
    const CpuTimes before = read_cpu_times();
    r.samples_ns = time_calls(
        r.config.key(), [&](std::size_t) { pool.run(noop); }, opt_.timing,
        {[&] { spin.start(); }, [&](std::size_t calls) { spin.stop(calls); }}, 0.0);
    r.steal_pct = steal_pct(before, read_cpu_times());
    r.spin_ns = spin.per_call();
    summarize(r, 0, 0);
  } catch (const std::exception& e) {
    r.status = Status::error;
    r.reason = e.what();
  }
  return r;
}

}  // namespace cromwell
