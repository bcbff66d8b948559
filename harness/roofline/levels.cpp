#include "harness/roofline/levels.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cromwell {

std::string human_bytes(std::int64_t b) {
  if (b >= (1 << 20) && b % (1 << 20) == 0) return fmt::format("{} MiB", b >> 20);
  if (b >= (1 << 20)) return fmt::format("{:.1f} MiB", double(b) / (1 << 20));
  return fmt::format("{} KiB", b >> 10);
}

std::vector<std::int64_t> curve_sizes(std::int64_t max_bytes) {
  std::vector<std::int64_t> out;
  for (std::int64_t p = 4096; p <= max_bytes; p *= 2)
    for (const std::int64_t quarters : {4, 5, 6, 7})
      if (p * quarters / 4 <= max_bytes) out.push_back(p * quarters / 4);
  return out;
}

std::int64_t capacity_below(std::int64_t bytes) {
  std::int64_t best = 0;
  for (std::int64_t p = 1024; p <= bytes; p *= 2) best = p * 3 / 2 <= bytes ? p * 3 / 2 : p;
  return best;
}

std::vector<Level> levels_from_curve(const std::vector<std::pair<std::int64_t, double>>& curve, double drop) {
  static const char* names[] = {"L1", "L2", "L3"};
  std::vector<Level> out;
  const std::size_t n = curve.size();
  if (n < 3) return out;
  std::vector<double> level{curve[0].second};  // the bandwidths of the level under way
  const auto plateau = [&] {
    std::vector<double> v = level;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  std::size_t i = 1;
  while (i < n && out.size() < 3) {
    const double floor = drop * plateau();
    // A fall: this size and the next below the plateau (one low point is noise, not a level).
    if (curve[i].second < floor && (i + 1 == n || curve[i + 1].second < floor)) {
      // Past the fall: while each size is still 10 % slower than the one before.
      std::size_t j = i;
      while (j + 1 < n && curve[j + 1].second < 0.9 * curve[j].second) ++j;
      out.push_back({names[out.size()], capacity_below(curve[i].first),
                     fmt::format("bandwidth curve: {:.0f} GB/s up to {}, {:.0f} GB/s from {} on, {:.0f} GB/s at {}",
                                 plateau(), human_bytes(curve[i - 1].first), curve[i].second,
                                 human_bytes(curve[i].first), curve[j].second, human_bytes(curve[j].first))});
      level = {curve[j].second};
      i = j + 1;
      continue;
    }
    level.push_back(curve[i].second);
    ++i;
  }
  return out;
}

}  // namespace cromwell
