#include "harness/report/simulate.hpp"

#include <set>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "harness/report/best.hpp"
#include "harness/run/measure.hpp"

namespace cromwell {

Simulated simulate_best(std::vector<ResultsFile>& files, MeasureOptions opt, std::FILE* progress) {
  std::vector<Record> records;
  for (const auto& f : files) records.insert(records.end(), f.records.begin(), f.records.end());
  std::vector<Config> best;
  std::set<std::string> seen;
  for (const auto& g : best_per_variant(records))
    for (const auto& b : g.rows)
      if (seen.insert(b.record->config.key()).second) best.push_back(b.record->config);

  opt.counters.backend = "sim";
  const Measurer m(opt);
  Simulated s;
  for (std::size_t i = 0; i < best.size(); ++i) {
    const Config& c = best[i];
    const std::string key = c.key();
    const VariantEntry* v = Registry::get().variant(c.id());
    if (!v) {
      s.why_not[key] = fmt::format("variant {} is not registered in this build", c.id());
      continue;
    }
    if (c.axes.threads > 1) {
      s.why_not[key] = fmt::format("the simulator runs one thread (threads={})", c.axes.threads);
      continue;
    }
    fmt::print(progress, "simulating the caches of {} ({} of {})\n", key, i + 1, best.size());
    std::fflush(progress);
    const Record r = m.measure(c, *v);
    if (r.status != Status::measured) {
      s.why_not[key] = fmt::format("{}: {}", to_string(r.status), r.reason);
      continue;
    }
    ++s.configs;
    for (auto& f : files)
      for (auto& row : f.records)
        if (row.config.key() == key && row.status == Status::measured) {
          row.metrics = r.metrics;
          row.counters_source = r.counters_source;
          row.counters_scope = r.counters_scope + "; simulated again by report --simulate, time from the sweep";
          row.counters_reason = r.counters_reason;
        }
  }
  return s;
}

}  // namespace cromwell
