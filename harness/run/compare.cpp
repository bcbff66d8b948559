#include "harness/run/compare.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/run/prepare.hpp"
#include "harness/run/timing.hpp"

namespace cromwell {

CompareResult compare(const std::vector<Config>& configs, const MeasureOptions& opt, int rounds) {
  if (configs.empty()) throw std::invalid_argument("compare: give at least one key");
  if (rounds < 1) throw std::invalid_argument(fmt::format("--repetitions {}: must be ≥ 1", rounds));
  const Registry& reg = Registry::get();
  std::vector<Prepared> entries;
  CompareResult res;
  res.rounds = rounds;
  for (const auto& c : configs) {
    reg.validate(c);
    const VariantEntry* v = reg.variant(c.id());
    if (auto missing = missing_isa(v->isa); !missing.empty())
      throw std::invalid_argument(fmt::format("{}: this CPU lacks {}", c.key(), missing));
    if (v->child_env && v->child_env(c.params))
      throw std::invalid_argument(fmt::format(
          "{}: needs {} in its environment; run compare with it set (the param then equals the loaded core)", c.key(),
          *v->child_env(c.params)));
    Prepared p = prepare(c, *v, {opt.seed, opt.cold_bytes, /*check=*/true, /*warm=*/true});
    if (!p.check.ok) throw std::runtime_error(fmt::format("{}: wrong result, not timed: {}", c.key(), p.check.detail));
    entries.push_back(std::move(p));
    Record r;
    r.config = c;
    r.counters_source = "none";
    if (v->note) r.note = v->note(c.params, c.axes.threads);
    res.records.push_back(std::move(r));
  }
  TimingOptions one = opt.timing;
  one.repetitions = 1;
  for (int round = 0; round < rounds; ++round)
    for (const std::size_t j : round_order(entries.size(), static_cast<std::size_t>(round))) {
      Prepared& e = entries[j];
      const auto pin = e.pin();
      const auto s = time_calls(
          res.records[j].config.key(), [&](std::size_t i) { e.call(i); }, one);
      res.records[j].samples_ns.insert(res.records[j].samples_ns.end(), s.begin(), s.end());
    }
  for (std::size_t j = 0; j < entries.size(); ++j) {
    const Work w = entries[j].instance->work();
    summarize(res.records[j], w.flops, w.bytes);
    res.speedup.push_back(paired_speedup(res.records[0].samples_ns, res.records[j].samples_ns));
  }
  return res;
}

}  // namespace cromwell
