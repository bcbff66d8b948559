#include "harness/run/runner.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "harness/platform/signals.hpp"
#include "harness/run/phases.hpp"
#include "harness/run/search.hpp"

namespace cromwell {
namespace {

class Run {
 public:
  Run(const std::vector<Sink*>& sinks, const RunOptions& opt) : sinks_(sinks), opt_(opt) {}

  // Writes a new row (tagged with the shard) and counts it.
  void emit(Record r) {
    r.shard = opt_.shard;
    {
      const PhaseTimer io(Phase::io);
      for (Sink* k : sinks_) k->write(r);
    }
    count(r);
  }
  // A row of the output already: counted, never written again.
  const Record* recorded(const std::string& key) {
    const auto it = opt_.recorded.find(key);
    if (it == opt_.recorded.end()) return nullptr;
    ++s_.recorded;
    count(it->second);
    return &it->second;
  }
  // False once a stop was asked: the config in flight is finished, no other starts.
  bool go_on() {
    s_.stopped_by = stop_requested();
    return s_.stopped_by == 0;
  }
  RunSummary finish() {
    for (Sink* k : sinks_) k->finish();
    return std::move(s_);
  }

 private:
  void count(const Record& r) { s_.add(r, opt_.time); }

  const std::vector<Sink*>& sinks_;
  const RunOptions& opt_;
  RunSummary s_;
};

}  // namespace

Record not_run(const PlannedConfig& pc) {
  Record r;
  r.config = pc.config;
  r.status = pc.status;
  r.reason = pc.reason;
  return r;
}

void RunSummary::add(const Record& r, bool keep) {
  ++total;
  switch (r.status) {
    case Status::measured:
      ++measured;
      if (keep) records.push_back(r);
      break;
    case Status::rejected:
      ++rejected;
      break;
    case Status::pruned:
      ++pruned;
      break;
    case Status::unsupported:
      ++unsupported;
      break;
    case Status::failed:
      ++failed;
      break;
    case Status::error:
      ++errors;
      break;
  }
}

void draw_random(Plan& plan, const Strategy& random, std::uint64_t seed) {
  std::vector<std::size_t> runnable;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < plan.configs.size(); ++i)
    if (plan.configs[i].status == Status::measured) {
      runnable.push_back(i);
      candidates.push_back(candidate_of(plan.configs[i].config));
    }
  std::vector<bool> keep(plan.configs.size(), true);
  for (std::size_t i : runnable) keep[i] = false;
  const std::unique_ptr<Search> draw = make_search(random, candidates, seed);
  while (const auto c = draw->ask()) {
    keep[runnable[*c]] = true;
    draw->tell(*c, 0.0);
  }
  std::vector<PlannedConfig> kept;
  for (std::size_t i = 0; i < plan.configs.size(); ++i)
    if (keep[i]) kept.push_back(std::move(plan.configs[i]));
  plan.configs = std::move(kept);
  plan.calibrations = calibrations_of(plan.configs);
}

std::size_t rows_to_write(const Plan& plan, const RunOptions& opt) {
  std::size_t runnable = 0, other = 0;
  std::map<std::string, std::size_t> groups;  // search: the budget is per group
  for (const auto& pc : plan.configs) {
    (pc.status == Status::measured ? runnable : other) += 1;
    if (pc.status == Status::measured) ++groups[candidate_of(pc.config).group];
  }
  const auto trials = std::size_t(opt.strategy.trials);
  if (opt.strategy.kind == Strategy::Kind::random) runnable = std::min(runnable, trials);
  if (opt.strategy.kind == Strategy::Kind::search) {
    runnable = 0;
    for (const auto& [g, n] : groups) runnable += std::min(n, trials);
  }
  return (opt.time && opt.calibrate ? plan.calibrations.size() : 0) + runnable + other;
}

RunSummary run_plan(const Plan& plan, const std::vector<Sink*>& sinks, const RunOptions& opt) {
  Run run(sinks, opt);
  if (opt.time && opt.calibrate)
    for (const Axes& a : plan.calibrations) {
      Config c;
      c.kernel = "noop";
      c.variant = "forkjoin";
      c.axes = a;
      if (run.recorded(c.key())) continue;
      if (!run.go_on()) return run.finish();
      run.emit(opt.calibrate(a));
    }
  if (opt.strategy.kind == Strategy::Kind::grid) {
    for (const auto& pc : plan.configs) {
      if (run.recorded(pc.config.key())) continue;
      if (pc.status != Status::measured) {
        run.emit(not_run(pc));
        continue;
      }
      if (!run.go_on()) break;
      run.emit(opt.measure(pc));
    }
    return run.finish();
  }
  // random and search: the configs that are not run first, then the trials the strategy asks for.
  std::vector<const PlannedConfig*> runnable;
  std::vector<Candidate> candidates;
  for (const auto& pc : plan.configs) {
    if (pc.status == Status::measured) {
      runnable.push_back(&pc);
      candidates.push_back(candidate_of(pc.config));
    } else if (!run.recorded(pc.config.key())) {
      run.emit(not_run(pc));
    }
  }
  const auto objective = [&](const Record& r) -> std::optional<double> {
    if (opt.objective) return opt.objective(r);
    return r.status == Status::measured ? r.time_ns : std::nullopt;
  };
  const std::unique_ptr<Search> search = make_search(opt.strategy, candidates, opt.seed);
  while (const auto i = search->ask()) {
    const PlannedConfig& pc = *runnable[*i];
    // A resumed sweep is fed what it recorded, in the order the strategy asks again.
    if (const Record* r = run.recorded(pc.config.key())) {
      search->tell(*i, objective(*r));
      continue;
    }
    if (!run.go_on()) break;
    Record r = opt.measure(pc);
    run.emit(r);
    search->tell(*i, objective(r));
  }
  return run.finish();
}

RunSummary run_plan(const Plan& plan, const Measurer& m, const std::vector<Sink*>& sinks, bool time) {
  RunOptions opt;
  opt.time = time;
  opt.measure = [&](const PlannedConfig& pc) { return m.measure(pc.config, *pc.variant, time); };
  opt.calibrate = [&](const Axes& a) { return m.calibrate(a); };
  return run_plan(plan, sinks, opt);
}

std::string RunSummary::counts() const {
  return fmt::format("{} rows: {} measured, {} rejected, {} pruned, {} unsupported, {} failed, {} errors", total,
                     measured, rejected, pruned, unsupported, failed, errors);
}

}  // namespace cromwell
