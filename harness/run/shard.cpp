#include "harness/run/shard.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {
namespace {

// A non-negative decimal integer and nothing else (no sign, space or trailing text).
bool parse_count(std::string_view s, int& out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string Shard::text() const { return fmt::format("{}/{}", index, count); }

Shard parse_shard(std::string_view text) {
  const auto fail = [&](std::string_view why) {
    return std::invalid_argument(
        fmt::format("shard '{}': {}; allowed: K/N with 0 ≤ K < N (e.g. 0/4; with a Slurm job array "
                    "--array=0-(N-1), K is $SLURM_ARRAY_TASK_ID)",
                    text, why));
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) throw fail("no '/'");
  Shard s;
  if (!parse_count(text.substr(0, slash), s.index)) throw fail("K is not a non-negative integer");
  if (!parse_count(text.substr(slash + 1), s.count)) throw fail("N is not a positive integer");
  if (s.count < 1) throw fail("N must be at least 1");
  if (s.index >= s.count) throw fail("K must be less than N (shards are numbered from 0)");
  return s;
}

void keep_shard(Plan& plan, const Shard& shard) {
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
    throw std::invalid_argument(fmt::format("shard {}: allowed K/N with 0 ≤ K < N", shard.text()));
  std::vector<PlannedConfig> kept;
  kept.reserve(plan.configs.size() / shard.count + 1);
  for (std::size_t i = shard.index; i < plan.configs.size(); i += shard.count)
    kept.push_back(std::move(plan.configs[i]));
  plan.configs = std::move(kept);
  plan.calibrations = calibrations_of(plan.configs);
}

}  // namespace cromwell
