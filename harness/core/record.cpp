#include "harness/core/record.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::rejected:
      return "rejected";
    case Status::pruned:
      return "pruned";
    case Status::unsupported:
      return "unsupported";
    case Status::failed:
      return "failed";
    case Status::error:
      return "error";
    case Status::measured:
      return "measured";
  }
  return "?";
}

Status parse_status(std::string_view text) {
  for (Status s :
       {Status::rejected, Status::pruned, Status::unsupported, Status::failed, Status::error, Status::measured})
    if (to_string(s) == text) return s;
  throw std::invalid_argument(
      fmt::format("status '{}' is not one of measured, rejected, pruned, unsupported, failed, error", text));
}

std::string reasons_of(const std::vector<Metric>& metrics) {
  std::string reasons;
  for (const auto& m : metrics)
    if (!m.reason.empty() && reasons.find(m.reason) == std::string::npos)
      reasons += (reasons.empty() ? "" : "; ") + m.reason;
  return reasons;
}

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

std::string human_time(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3f} µs", ns / 1e3);
  return fmt::format("{:.1f} ns", ns);
}

void summarize(Record& r, double flops, double bytes) {
  if (r.samples_ns.empty()) return;
  r.repetitions = static_cast<int>(r.samples_ns.size());
  const double med = median(r.samples_ns);
  r.time_ns = med;
  r.time_ns_min = *std::min_element(r.samples_ns.begin(), r.samples_ns.end());
  // err% is the median absolute percentage error of the repetitions around their median (MdAPE).
  std::vector<double> ape;
  for (double t : r.samples_ns) ape.push_back(med > 0 ? 100.0 * std::abs(t - med) / med : 0.0);
  r.err_pct = median(ape);
  r.unstable = *r.err_pct > kUnstablePct;
  if (med > 0) {
    if (flops > 0) r.gflops = flops / med;  // flops per ns = GFLOP/s
    if (bytes > 0) r.gbps = bytes / med;    // bytes per ns = GB/s
  }
}

}  // namespace cromwell
