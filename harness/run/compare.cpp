#include "harness/run/compare.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/run/prepare.hpp"
#include "harness/run/timing.hpp"

namespace cromwell {

std::size_t replicas_for(int rounds) {
  return std::clamp<std::size_t>(static_cast<std::size_t>(rounds) / 2, 1, kReplicas);
}

CompareResult compare(const std::vector<Config>& configs, const MeasureOptions& opt, int rounds) {
  if (configs.empty()) throw std::invalid_argument("compare: give at least one key");
  if (rounds < 1) throw std::invalid_argument(fmt::format("--repetitions {}: must be ≥ 1", rounds));
  const Registry& reg = Registry::get();
  CompareResult res;
  res.rounds = rounds;
  std::vector<const VariantEntry*> variants;
  for (const auto& c : configs) {
    reg.validate(c);
    const VariantEntry* v = reg.variant(c.id());
    if (auto missing = missing_isa(v->isa); !missing.empty())
      throw std::invalid_argument(fmt::format("{}: this CPU lacks {}", c.key(), missing));
    if (v->child_env && v->child_env(c.params))
      throw std::invalid_argument(fmt::format(
          "{}: needs {} in its environment; run compare with it set (the param then equals the loaded core)", c.key(),
          *v->child_env(c.params)));
    variants.push_back(v);
    Record r;
    r.config = c;
    r.counters_source = "none";
    if (v->note) r.note = v->note(c.params, c.axes.threads);
    res.records.push_back(std::move(r));
  }
  // replica[k][j]: config j's k-th instance. Replica by replica, so that no config always gets
  // the memory allocated first.
  const std::size_t replicas = replicas_for(rounds);
  std::vector<std::vector<Prepared>> replica(replicas);
  for (std::size_t k = 0; k < replicas; ++k)
    for (std::size_t j = 0; j < configs.size(); ++j) {
      Prepared p = prepare(configs[j], *variants[j], {opt.seed, opt.cold_bytes, /*check=*/true, /*warm=*/true});
      if (!p.check.ok)
        throw std::runtime_error(fmt::format("{}: wrong result, not timed: {}", configs[j].key(), p.check.detail));
      replica[k].push_back(std::move(p));
    }
  TimingOptions one = opt.timing;
  one.repetitions = 1;
  for (int round = 0; round < rounds; ++round)
    for (const std::size_t j : round_order(configs.size(), static_cast<std::size_t>(round))) {
      Prepared& e = replica[replica_of(static_cast<std::size_t>(round), replicas)][j];
      const auto pin = e.pin();
      const auto s = time_calls(
          res.records[j].config.key(), [&](std::size_t i) { e.call(i); }, one);
      res.records[j].samples_ns.insert(res.records[j].samples_ns.end(), s.begin(), s.end());
    }
  for (std::size_t j = 0; j < configs.size(); ++j) {
    const Work w = replica[0][j].instance->work();
    summarize(res.records[j], w.flops, w.bytes);
    res.speedup.push_back(paired_speedup(res.records[0].samples_ns, res.records[j].samples_ns));
  }
  return res;
}

}  // namespace cromwell
