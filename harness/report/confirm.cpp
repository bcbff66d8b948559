#include "harness/report/confirm.hpp"

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "harness/run/compare.hpp"

namespace cromwell {

std::string group_caption(const BestGroup& g) {
  return fmt::format("{}, {} thread(s), {} cache", g.shape, g.threads, g.cache);
}

Confirmation confirm_best(const std::vector<BestGroup>& groups, const MeasureOptions& opt, int rounds,
                          std::FILE* progress) {
  Confirmation c;
  c.rounds = rounds;
  for (const auto& g : groups) {
    const BestRow* naive = nullptr;
    std::vector<Config> configs;  // naive first: compare's ratios are against the first
    for (const auto& b : g.rows)
      if (b.record->config.variant == "naive") naive = &b;
    if (!naive) {
      c.why_not[g.kernel + ": " + group_caption(g)] = "no naive row";
      continue;
    }
    configs.push_back(naive->record->config);
    for (const auto& b : g.rows)
      if (&b != naive && configs.size() <= kConfirmed) configs.push_back(b.record->config);
    if (configs.size() < 2) continue;
    try {
      for (auto& cfg : configs) Registry::get().validate(cfg);
      fmt::print(progress, "confirming {} {}: {} configs × {} rounds\n", g.kernel, group_caption(g), configs.size(),
                 rounds);
      std::fflush(progress);
      const CompareResult res = compare(configs, opt, rounds);
      for (std::size_t j = 1; j < configs.size(); ++j) c.vs_naive[configs[j].key()] = res.speedup[j];
    } catch (const std::exception& e) {
      c.why_not[g.kernel + ": " + group_caption(g)] = e.what();
    }
  }
  return c;
}

}  // namespace cromwell
