// --counters perf: hardware events from the group files of this CPU's PMU, one group per pool
// thread, one pass per event set that fits the counters, per-call values summed over threads.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "counters/backend.hpp"
#include "counters/groups.hpp"
#include "counters/perf_backend.hpp"
#include "counters/perf_events.hpp"
#include "harness/platform/pool.hpp"

namespace cromwell {
namespace {

struct Pass {
  std::size_t group;
  std::vector<EventCode> events;
};

class PerfSession final : public CounterSession {
 public:
  PerfSession(const std::vector<Group>& groups, const std::vector<Pass>& passes,
              const std::vector<std::string>& columns, Pool& pool, const PerfOpenFn& open_fn)
      : groups_(groups), passes_(passes), columns_(columns), per_pass_(passes.size()) {
    const auto tids = pool.tids();
    for (std::size_t p = 0; p < passes_.size() && error_.empty(); ++p)
      for (int tid : tids) {
        PerfGroup g;
        if (!g.open(passes_[p].events, tid, open_fn)) {
          error_ = g.error();
          break;
        }
        per_pass_[p].groups.push_back(std::move(g));
      }
  }
  void start() override {
    if (!error_.empty()) return;
    for (auto& g : per_pass_[current_].groups) g.start();
  }
  int passes() const override { return static_cast<int>(passes_.size()); }
  void stop(std::size_t calls) override {
    if (!error_.empty()) return;
    PassData& d = per_pass_[current_];
    for (auto& g : d.groups) g.stop();
    d.totals.resize(passes_[current_].events.size(), 0.0);
    for (auto& g : d.groups) {
      GroupReading r;
      if (!g.read(r)) {
        d.failure = "the group could not be read (in error state: another profiler holds the counters?)";
        continue;
      }
      if (r.running == 0) {
        d.failure = "the group opened but never ran (time running 0): not counted";
        continue;
      }
      for (std::size_t i = 0; i < r.values.size(); ++i) d.totals[i] += *scale(r.values[i], r.enabled, r.running).value;
      d.coverage = std::min(d.coverage, double(r.running) / double(r.enabled));
    }
    d.calls += calls;
    current_ = (current_ + 1) % passes_.size();
  }
  std::vector<Metric> finish() override {
    std::vector<Metric> out;
    if (!error_.empty()) {
      for (const auto& c : columns_) out.push_back({c, std::nullopt, error_});
      return out;
    }
    // Per-call event values, by group; an event counted in several passes keeps its first value.
    std::vector<std::map<std::string, double>> values(groups_.size());
    std::map<std::string, std::string> missing, flagged;
    for (std::size_t p = 0; p < passes_.size(); ++p) {
      const PassData& d = per_pass_[p];
      for (std::size_t i = 0; i < passes_[p].events.size(); ++i) {
        const std::string& name = passes_[p].events[i].name;
        if (!d.failure.empty() || d.calls == 0) {
          missing[name] =
              d.calls == 0 ? "not counted: fewer timed loops than event passes (raise --repetitions)" : d.failure;
          continue;
        }
        values[passes_[p].group].emplace(name, d.totals[i] / double(d.calls));
        if (d.coverage < 1.0)
          flagged[name] = fmt::format("multiplexed: scaled from {:.0f}% coverage", 100 * d.coverage);
      }
    }
    for (const auto& col : columns_) {
      Metric m{col, std::nullopt, ""};
      for (std::size_t g = 0; g < groups_.size() && !m.value; ++g) {
        if (auto it = values[g].find(col); it != values[g].end()) {
          m.value = it->second;
          if (flagged.count(col)) m.reason = flagged[col];
          continue;
        }
        for (const auto& md : groups_[g].metrics)
          if (md.name == col) {
            m.value = md.formula.eval(values[g]);
            for (const auto& n : md.formula.names()) {
              if (flagged.count(n)) m.reason = flagged[n];
              if (!m.value && missing.count(n)) m.reason = missing[n];
            }
            if (!m.value && m.reason.empty()) m.reason = "undefined (a division by zero)";
          }
      }
      if (!m.value && m.reason.empty()) m.reason = fmt::format("no {} event in this PMU's groups", col);
      out.push_back(m);
    }
    return out;
  }

 private:
  struct PassData {
    std::vector<PerfGroup> groups;  // one per pool thread
    std::vector<double> totals;
    double coverage = 1.0;
    std::size_t calls = 0;
    std::string failure;
  };
  const std::vector<Group>& groups_;
  const std::vector<Pass>& passes_;
  const std::vector<std::string>& columns_;
  std::vector<PassData> per_pass_;
  std::size_t current_ = 0;
  std::string error_;
};

class PerfBackend final : public CounterBackend {
 public:
  PerfBackend(Pmu pmu, std::vector<Group> groups, PerfOpenFn open_fn)
      : pmu_(std::move(pmu)), groups_(std::move(groups)), open_(std::move(open_fn)) {
    const bool watchdog = nmi_watchdog_on();
    const int budget = counter_budget(pmu_, watchdog);
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      Pass pass{g, {}};
      std::vector<EventDef> in_pass;
      for (const auto& e : groups_[g].events) {
        in_pass.push_back(e);
        if (counters_needed(pmu_, in_pass, watchdog) > budget) {
          passes_.push_back(pass);
          pass.events.clear();
          in_pass = {e};
        }
        pass.events.push_back(encode_event(e.name, e.spec));
      }
      passes_.push_back(pass);
    }
    columns_ = canonical_counter_columns();
    for (const auto& g : groups_)
      for (const auto& m : g.metrics)
        if (std::find(columns_.begin(), columns_.end(), m.name) == columns_.end()) columns_.push_back(m.name);
  }
  std::string source() const override { return "perf:" + pmu_.name; }
  std::string scope() const override {
    return fmt::format(
        "hardware counters ({}), user mode, timed loops only, summed over threads, per call; {} "
        "pass(es) of ≤ {} counters; metric scopes in `cromwell list metrics`",
        pmu_.description, passes_.size(), counter_budget(pmu_, nmi_watchdog_on()));
  }
  std::vector<std::string> columns() const override { return columns_; }
  std::unique_ptr<CounterSession> open(Pool& pool) override {
    return std::make_unique<PerfSession>(groups_, passes_, columns_, pool, open_);
  }

 private:
  Pmu pmu_;
  std::vector<Group> groups_;
  std::vector<Pass> passes_;
  std::vector<std::string> columns_;
  PerfOpenFn open_;
};

}  // namespace

std::unique_ptr<CounterBackend> make_perf_backend(const Pmu& pmu, const std::string& user_dir, PerfOpenFn open_fn) {
  return std::make_unique<PerfBackend>(pmu, load_groups(pmu.name, user_dir), std::move(open_fn));
}

}  // namespace cromwell
