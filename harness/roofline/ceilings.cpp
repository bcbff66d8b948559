#include "harness/roofline/ceilings.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/pool.hpp"
#include "harness/platform/topology.hpp"
#include "harness/roofline/levels.hpp"
#include "harness/roofline/probes.hpp"

namespace cromwell {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Ceiling ceiling_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {v.back(), med, v.front(), int(n)};
}

// Runs `work(tid, count)` on every thread of `pool` and returns the wall time in seconds.
template <class F>
double timed_run(Pool& pool, std::int64_t count, F&& work) {
  const auto t0 = Clock::now();
  pool.run([&](int tid) { work(tid, count); });
  return seconds_since(t0);
}

// The count of `work` units that fills `seconds` on `pool`: doubled from 1 until a run takes 2 ms.
template <class F>
std::int64_t calibrate(Pool& pool, double seconds, std::int64_t start, F&& work) {
  std::int64_t n = start;
  for (;;) {
    const double t = timed_run(pool, n, work);
    if (t >= 2e-3 || n > (std::int64_t{1} << 40)) return std::max<std::int64_t>(1, std::int64_t(n * seconds / t));
    n *= 2;
  }
}

// `trials` rates of `work` (units per second × `per_unit`) after a calibration that warms up.
template <class F>
Ceiling trials_of(Pool& pool, const RooflineOptions& o, std::int64_t start, double per_unit, F&& work) {
  const std::int64_t n = calibrate(pool, o.trial_seconds, start, work);
  std::vector<double> rates;
  for (int i = 0; i < o.trials; ++i) rates.push_back(per_unit * double(n) * pool.size() / timed_run(pool, n, work));
  return ceiling_of(rates);
}

std::string utc_now() {
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return date;
}

std::int64_t round_down_4k(double b) { return std::max<std::int64_t>(4096, std::int64_t(b) / 4096 * 4096); }

}  // namespace

std::int64_t level_bytes(const std::string& level, int threads, std::int64_t l1, std::int64_t l2, std::int64_t l3) {
  if (level == "L1") return round_down_4k(l1 / 2.0);
  if (level == "L2") return round_down_4k(std::max(l2 / 2.0, 2.0 * l1));
  if (level == "L3") return round_down_4k(std::max(l3 / (2.0 * threads), 2.0 * l2));
  if (level == "DRAM") return round_down_4k(std::max(8.0 * l3, double(256 << 20)) / threads);
  throw std::invalid_argument(fmt::format("unknown memory level '{}' (allowed: L1, L2, L3, DRAM)", level));
}

Ceiling measure_peak(const std::string& kind, Pool& pool, const RooflineOptions& o) {
  const bool fp32 = std::find(peak_isas().begin(), peak_isas().end(), kind) != peak_isas().end();
  const auto run = [&](std::int64_t n) {
    return fp32 ? probes::multiply_adds(kind, n) : probes::dot_products(kind, n);
  };
  if (!fp32 && !cpu_has(probes::dot_isa(kind)))
    throw std::invalid_argument(fmt::format("{}: this CPU has no {}", kind, probes::dot_isa(kind)));
  Pool::CallerPin pin(pool);
  return trials_of(pool, o, 1000, run(1) / 1e9, [&](int, std::int64_t n) { run(n); });
}

MachineProfile measure_profile(const RooflineOptions& o) {
  const auto say = [&](const std::string& s) {
    if (o.progress) o.progress(s);
  };
  MachineProfile p;
  const Fingerprint fp = machine_fingerprint();
  p.fingerprint = fp.hash;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  p.host = host;
  p.cpu = cpu_id().brand;
  p.date = utc_now();
  p.threads_all = int(machine_topology().pus.size());
  p.pin = "compact";
  std::vector<int> thread_counts{1};
  if (p.threads_all > 1) thread_counts.push_back(p.threads_all);

  Pool& one = pool_for(1, p.pin);
  {
    say("effective clock (dependent adds)");
    Pool::CallerPin pin(one);
    p.clock_ghz = trials_of(one, o, 1000, 64 / 1e9, [](int, std::int64_t n) { probes::dependent_adds(n); });
  }

  std::vector<std::string> isas{"baseline"};
  if (cpu_has("avx2") && cpu_has("fma")) isas.push_back("avx2");
  if (cpu_has("avx512f")) isas.push_back("avx512");
  for (const auto& isa : isas)
    for (int t : thread_counts) {
      say(fmt::format("fp32 peak, {}, {} thread(s)", isa, t));
      Pool& pool = pool_for(t, p.pin);
      Pool::CallerPin pin(pool);
      const double flops_per_iter = probes::multiply_adds(isa, 1);
      p.peaks[isa][t] =
          trials_of(pool, o, 1000, flops_per_iter / 1e9, [&](int, std::int64_t n) { probes::multiply_adds(isa, n); });
    }

  // Bandwidth probes use the widest loads the CPU has; AVX2 as well, to compare with AVX2 peers.
  std::vector<std::string> bw_isas;
  if (cpu_has("avx2")) bw_isas.push_back("avx2");
  if (cpu_has("avx512f")) bw_isas.push_back("avx512");
  if (bw_isas.empty()) {
    p.notes.push_back("no AVX2: bandwidth not measured");
    return p;
  }
  const std::string widest = bw_isas.back();
  const std::int64_t avail = memory_available().bytes;
  const std::int64_t curve_max = std::min<std::int64_t>(o.curve_max, std::max<std::int64_t>(avail / 4, 64 << 20));
  {
    say(fmt::format("bandwidth curve, read, {}, 4 KiB to {} MiB", widest, curve_max >> 20));
    Pool::CallerPin pin(one);
    probes::ThreadBuffers buf(one, std::size_t(curve_max));
    RooflineOptions co = o;
    co.trials = o.curve_trials;
    co.trial_seconds = o.trial_seconds / 2;
    for (const std::int64_t bytes : curve_sizes(curve_max)) {
      const Ceiling c = trials_of(one, co, 1, double(bytes) / 1e9, [&](int tid, std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) probes::pass(probes::Op::read, widest, buf.at[tid], std::size_t(bytes));
      });
      p.curve.emplace_back(bytes, c.best);
    }
  }
  p.levels = levels_from_curve(p.curve);
  // The working sets of the levels: the sizes the machine reports where they are plausible (a
  // curve on a busy host blurs), else those found on the curve, else the fallback.
  const CacheSizes reported = machine_caches();
  const std::int64_t reported_bytes[3] = {reported.l1d, reported.l2, reported.l3};
  std::int64_t sizes[3];
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string name = memory_levels()[i];
    const std::string key = i == 0 ? "l1d" : i == 1 ? "l2" : "l3";
    const bool trusted = reported.source.find(key + " default") == std::string::npos &&
                         reported.source.find(key + " measured") == std::string::npos;
    const bool found = i < p.levels.size();
    sizes[i] = trusted || !found ? reported_bytes[i] : p.levels[i].bytes;
    if (!found)
      p.notes.push_back(fmt::format("{} not found on the bandwidth curve (4 KiB to {} MiB)", name, curve_max >> 20));
    p.notes.push_back(fmt::format("{} bandwidth: working sets sized for {} ({})", name, human_bytes(sizes[i]),
                                  trusted ? "the size the machine reports"
                                  : found ? "found on the curve"
                                          : "the fallback: " + reported.source));
  }
  const std::int64_t l1 = sizes[0], l2 = sizes[1], l3 = sizes[2];

  for (const auto& level : memory_levels())
    for (int t : thread_counts) {
      const std::int64_t bytes = level_bytes(level, t, l1, l2, l3);
      if (bytes * t > avail / 4) {
        p.notes.push_back(
            fmt::format("{} at {} thread(s) not measured: {} MiB exceed a quarter of the available "
                        "memory",
                        level, t, (bytes * t) >> 20));
        continue;
      }
      Pool& pool = pool_for(t, p.pin);
      Pool::CallerPin pin(pool);
      probes::ThreadBuffers buf(pool, std::size_t(bytes));
      for (const auto& isa : bw_isas)
        for (const auto op : {probes::Op::read, probes::Op::copy, probes::Op::copy_nt}) {
          say(fmt::format("bandwidth {} {} {}, {} thread(s) × {} KiB", level, isa, probes::to_string(op), t,
                          bytes >> 10));
          p.bandwidth[isa][probes::to_string(op)][level][t] =
              trials_of(pool, o, 1, double(bytes) / 1e9, [&](int tid, std::int64_t n) {
                for (std::int64_t i = 0; i < n; ++i) probes::pass(op, isa, buf.at[tid], std::size_t(bytes));
              });
        }
    }
  return p;
}

}  // namespace cromwell
