#include "harness/report/baseline.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace cromwell {

Verdict verdict_of(const Ratio& r) {
  if (r.lo > 1) return Verdict::faster;
  if (r.hi < 1) return Verdict::slower;
  return Verdict::same;
}

std::vector<Change> changes_between(const std::vector<Record>& base, const std::vector<Record>& now) {
  std::map<std::string, const Record*> by_key;
  for (const auto& r : base)
    if (r.status == Status::measured && r.config.kernel != "noop" && !r.samples_ns.empty()) by_key[r.config.key()] = &r;
  std::vector<Change> out;
  for (const auto& r : now) {
    if (r.status != Status::measured || r.config.kernel == "noop" || r.samples_ns.empty()) continue;
    const auto it = by_key.find(r.config.key());
    if (it == by_key.end()) continue;
    out.push_back({it->second, &r, run_change(it->second->samples_ns, r.samples_ns)});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Change& a, const Change& b) { return a.speedup.median < b.speedup.median; });
  return out;
}

std::string render_changes(TextFormat f, const std::vector<Change>& changes, const std::string& base_name,
                           std::size_t rows) {
  if (changes.empty())
    return para(f, fmt::format("No configuration was measured (with its repetitions) both here and in {}.", base_name));
  std::size_t faster = 0, slower = 0;
  std::vector<double> all;
  for (const auto& c : changes) {
    faster += verdict_of(c.speedup) == Verdict::faster;
    slower += verdict_of(c.speedup) == Verdict::slower;
    all.push_back(c.speedup.median);
  }
  Table t{{"config", "baseline", "now", "speed-up (95 % interval)", ""}, {false, true, true, true, false}, {}};
  std::size_t same_shown = 0, same_left = 0;
  for (const auto& c : changes) {
    const Verdict v = verdict_of(c.speedup);
    if (v == Verdict::same && same_shown >= rows) {
      ++same_left;
      continue;
    }
    same_shown += v == Verdict::same;
    const bool bounded = c.speedup.hi < 1e300;
    t.rows.push_back({c.now->config.key(), human_time(*c.base->time_ns), human_time(*c.now->time_ns),
                      bounded ? fmt::format("{:.3f} ({:.3f}–{:.3f})", c.speedup.median, c.speedup.lo, c.speedup.hi)
                              : fmt::format("{:.3f} (too few repetitions)", c.speedup.median),
                      v == Verdict::faster   ? "faster"
                      : v == Verdict::slower ? "SLOWER"
                                             : ""});
  }
  std::string out = t.render(f);
  if (same_left) out += note(f, fmt::format("… and {} more without a change beyond noise", same_left));
  out += note(f, fmt::format("{} configs in both runs: {} faster, {} slower, {} without a change beyond noise; median "
                             "speed-up of all {:.3f} (a host faster or slower that day moves every config alike)",
                             changes.size(), faster, slower, changes.size() - faster - slower, median(all)));
  return out + "\n";
}

}  // namespace cromwell
