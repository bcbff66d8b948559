#include "harness/run/calls.hpp"

#include <valgrind/callgrind.h>

#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/run/prepare.hpp"

namespace cromwell {

CallsResult run_calls(const Config& c, const VariantEntry& v, long calls, bool check, const MeasureOptions& opt) {
  if (calls < 1) throw std::invalid_argument(fmt::format("--calls {}: must be ≥ 1", calls));
  if (auto missing = missing_isa(v.isa); !missing.empty())
    throw std::invalid_argument(fmt::format("{}: this CPU lacks {}", c.key(), missing));
  CallsResult res;
  res.calls = calls;
  res.checked = check;
  Prepared p = prepare(c, v, {opt.seed, opt.cold_bytes, check, /*warm=*/true});
  res.check = p.check;
  res.work = p.instance->work();
  if (!res.check.ok) return res;
  const auto pin = p.pin();
  // Exactly these calls form the collected region under callgrind.
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < calls; ++i) p.call(static_cast<std::size_t>(i));
  res.ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  CALLGRIND_TOGGLE_COLLECT;
  return res;
}

std::string CallsResult::summary(const std::string& key) const {
  if (!check.ok) return fmt::format("failed {}: {}", key, check.detail);
  std::string s =
      fmt::format("{}: {}{} call(s), {:.1f} ns per call", key, checked ? "correct; " : "", calls, ns / calls);
  if (work.flops > 0) s += fmt::format(", {:.2f} GFLOP/s", work.flops * calls / ns);
  if (work.bytes > 0) s += fmt::format(", {:.2f} GB/s", work.bytes * calls / ns);
  return s + " (one untimed-loop run: use sweep or compare for statistics)";
}

}  // namespace cromwell
