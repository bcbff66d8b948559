#include "harness/report/best.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace cromwell {

std::optional<double> metric_of(const Record& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  return std::nullopt;
}

std::vector<BestGroup> best_per_variant(const std::vector<Record>& records) {
  std::vector<std::string> kernels;                                         // in order of first appearance
  using GroupKey = std::tuple<std::size_t, std::string, int, std::string>;  // kernel index, shape, threads, cache
  std::map<GroupKey, std::map<std::string, BestRow>> groups;                // → variant → its best
  for (const auto& r : records) {
    if (r.config.kernel == "noop" || r.status != Status::measured || !r.time_ns) continue;
    // A row of one stage of a composed step (decode's, `stage` other than `token`) is a part of a
    // configuration, not one: only the whole step's row competes.
    if (const std::string* stage = r.config.params.find("stage"); stage != nullptr && *stage != "token") continue;
    auto k = std::find(kernels.begin(), kernels.end(), r.config.kernel);
    if (k == kernels.end()) k = kernels.insert(kernels.end(), r.config.kernel);
    const GroupKey g{std::size_t(k - kernels.begin()), r.config.shape.str(), r.config.axes.threads,
                     r.config.axes.cache};
    BestRow& b = groups[g][r.config.variant];
    ++b.measured;
    if (!b.record || *r.time_ns < *b.record->time_ns) b.record = &r;
  }
  std::vector<BestGroup> out;
  for (auto& [g, variants] : groups) {
    BestGroup bg{kernels[std::get<0>(g)], std::get<1>(g), std::get<3>(g), std::get<2>(g), {}};
    const auto naive = variants.find("naive");
    for (auto& [name, b] : variants) {
      if (naive != variants.end()) b.vs_naive = *naive->second.record->time_ns / *b.record->time_ns;
      bg.rows.push_back(b);
    }
    std::stable_sort(bg.rows.begin(), bg.rows.end(),
                     [](const BestRow& a, const BestRow& b) { return *a.record->time_ns < *b.record->time_ns; });
    out.push_back(std::move(bg));
  }
  return out;
}

}  // namespace cromwell
