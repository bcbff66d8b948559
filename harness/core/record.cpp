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

std::string human_time(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3f} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3f} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3f} µs", ns / 1e3);
  return fmt::format("{:.1f} ns", ns);
}

}  // namespace cromwell
