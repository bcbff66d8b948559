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
  struct Entry {
    const VariantEntry* v;
    Pool* pool;
    std::unique_ptr<Instance> inst;
  };
  std::vector<Entry> entries;
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
    Pool& pool = pool_for(c.axes.threads, c.axes.pin);
    InstanceOptions io{opt.seed, static_cast<std::size_t>(c.axes.align), c.axes.cache == "cold",
                       cold_bytes_or_default(opt.cold_bytes)};
    Pool::CallerPin pin(pool);
    auto inst = v->instantiate(c.shape, c.params, pool, io);
    if (Check ck = inst->check(); !ck.ok)
      throw std::runtime_error(fmt::format("{}: wrong result, not timed: {}", c.key(), ck.detail));
    for (std::size_t i = 0; i < inst->copies(); ++i) inst->call(i);
    entries.push_back({v, &pool, std::move(inst)});
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
      auto& e = entries[j];
      Pool::CallerPin pin(*e.pool);
      const std::size_t copies = e.inst->copies();
      const auto s = time_calls(
          res.records[j].config.key(), [&](std::size_t i) { e.inst->call(i % copies); }, one);
      res.records[j].samples_ns.insert(res.records[j].samples_ns.end(), s.begin(), s.end());
    }
  for (std::size_t j = 0; j < entries.size(); ++j) {
    const Work w = entries[j].inst->work();
    summarize(res.records[j], w.flops, w.bytes);
    res.speedup.push_back(paired_speedup(res.records[0].samples_ns, res.records[j].samples_ns));
  }
  return res;
}

}  // namespace cromwell
