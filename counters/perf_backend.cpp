// --counters perf: hardware events from the group files of this CPU's PMU, one group per pool
// thread, one pass per event set that fits the counters, per-call values summed over threads; on
// Zen, the amd_l3 PMU's whole-CCX counts alongside.
//
// A value is reported only when it was counted: an event that does not open empties only what
// depends on it (the reason names the event and errno), a pass that never ran empties its events,
// and a must-count event that reads 0 over a region of ≥ 10⁶ instructions (or ≥ 1 ms when
// instructions are unknown) is a fault, not a 0.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "counters/amd_l3.hpp"
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
  std::vector<bool> must_count;
};

// Evidence that a region ran long enough for a must-count event to have counted.
constexpr double kMinInstructions = 1e6;
constexpr double kMinEnabledNs = 1e6;

class PerfSession final : public CounterSession {
 public:
  PerfSession(const std::vector<Group>& groups, const std::vector<Pass>& passes,
              const std::vector<std::string>& columns, Pool& pool, const PerfSysPtr& sys, const AmdL3Pmu& l3)
      : groups_(groups), passes_(passes), columns_(columns), per_pass_(passes.size()), l3_(l3) {
    const auto tids = pool.tids();
    for (std::size_t p = 0; p < passes_.size(); ++p) {
      PassData& d = per_pass_[p];
      d.open_error.resize(passes_[p].events.size());
      d.totals.assign(passes_[p].events.size(), 0.0);
      d.raw.assign(passes_[p].events.size(), 0);
      for (int tid : tids) {
        PerfGroup g;
        g.open(passes_[p].events, {tid, -1, true}, sys);
        for (std::size_t i = 0; i < passes_[p].events.size(); ++i)
          if (!g.opened(i) && d.open_error[i].empty()) d.open_error[i] = g.events()[i].error;
        d.groups.push_back(std::move(g));
      }
    }
  }
  int passes() const override { return static_cast<int>(passes_.size()); }
  void start() override {
    for (auto& g : per_pass_[current_].groups) g.start();
    l3_.start();
  }
  void stop(std::size_t calls) override {
    PassData& d = per_pass_[current_];
    for (auto& g : d.groups) g.stop();
    l3_.stop(calls);
    for (auto& g : d.groups) {
      if (!g.any_open()) continue;
      GroupReading r;
      if (!g.read(r)) {
        d.failure = "the group could not be read (in error state: another profiler holds the counters?)";
        continue;
      }
      // A thread's events run only while it is scheduled: a thread that slept through the loop (a
      // peer's idle pool) has neither time enabled nor counts. Enabled but never running is a
      // group the PMU never gave counters to.
      if (r.enabled == 0) continue;
      if (r.running == 0) {
        d.failure = "the group opened but never ran (time running 0): not counted";
        continue;
      }
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        d.totals[i] += *scale(r.values[i], r.enabled, r.running).value;
        d.raw[i] += r.values[i];
      }
      d.coverage = std::min(d.coverage, double(r.running) / double(r.enabled));
      d.enabled_ns += double(r.enabled);
    }
    d.calls += calls;
    current_ = (current_ + 1) % passes_.size();
  }
  std::vector<Metric> finish() override {
    const auto events = event_values();
    std::map<std::string, Metric> l3;
    for (const auto& m : l3_.finish()) l3[m.name] = m;
    std::vector<Metric> out;
    for (const auto& col : columns_) {
      if (auto it = l3.find(col); it != l3.end()) {
        out.push_back(it->second);
        continue;
      }
      out.push_back(metric(col, events));
    }
    return out;
  }

 private:
  struct PassData {
    std::vector<PerfGroup> groups;  // one per pool thread
    std::vector<std::string> open_error;
    std::vector<double> totals;      // scaled, summed over threads and loops
    std::vector<std::uint64_t> raw;  // unscaled
    double coverage = 1.0, enabled_ns = 0;
    std::size_t calls = 0;
    std::string failure;
  };
  // One event of one group: its per-call value, or why it has none; a flag for a scaled value.
  struct EventValue {
    std::optional<double> value;
    std::string reason, flag;
  };
  using EventValues = std::vector<std::map<std::string, EventValue>>;  // by group, then event name

  double instructions_counted() const {
    double most = 0;
    for (std::size_t p = 0; p < passes_.size(); ++p)
      for (std::size_t i = 0; i < passes_[p].events.size(); ++i)
        if (passes_[p].events[i].name == "instructions" && per_pass_[p].open_error[i].empty())
          most = std::max(most, per_pass_[p].totals[i]);
    return most;
  }

  EventValues event_values() const {
    EventValues out(groups_.size());
    const double instructions = instructions_counted();
    for (std::size_t p = 0; p < passes_.size(); ++p) {
      const PassData& d = per_pass_[p];
      for (std::size_t i = 0; i < passes_[p].events.size(); ++i) {
        const std::string& name = passes_[p].events[i].name;
        EventValue v;
        if (!d.open_error[i].empty()) {
          v.reason = d.open_error[i];
        } else if (!d.failure.empty()) {
          v.reason = name + ": " + d.failure;
        } else if (d.calls == 0) {
          v.reason = name + ": not counted: fewer timed loops than event passes (raise --repetitions)";
        } else if (passes_[p].must_count[i] && d.raw[i] == 0 &&
                   (instructions >= kMinInstructions || d.enabled_ns >= kMinEnabledNs)) {
          v.reason = instructions >= kMinInstructions
                         ? fmt::format("{}: stuck at 0 over {:.3g} instructions: this event does not count here", name,
                                       instructions)
                         : fmt::format("{}: stuck at 0 over {:.3g} ms counted: this event does not count here", name,
                                       d.enabled_ns / 1e6);
        } else {
          v.value = d.totals[i] / double(d.calls);
          if (d.coverage < 1.0)
            v.flag = fmt::format("{}: multiplexed, scaled from {:.0f}% coverage", name, 100 * d.coverage);
        }
        out[passes_[p].group].emplace(name, v);  // counted in several passes: the first pass's value
      }
    }
    return out;
  }

  Metric metric(const std::string& col, const EventValues& events) const {
    Metric m{col, std::nullopt, ""};
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (auto it = events[g].find(col); it != events[g].end()) {
        m.value = it->second.value;
        m.reason = m.value ? it->second.flag : it->second.reason;
        return m;
      }
      for (const auto& md : groups_[g].metrics) {
        if (md.name != col) continue;
        std::map<std::string, double> inputs;
        std::string missing, flagged;
        for (const auto& n : md.formula.names()) {
          const auto it = events[g].find(n);
          if (it == events[g].end()) continue;
          if (it->second.value)
            inputs[n] = *it->second.value;
          else if (missing.empty())
            missing = it->second.reason;
          if (!it->second.flag.empty() && flagged.empty()) flagged = it->second.flag;
        }
        m.value = md.formula.eval(inputs);
        m.reason = m.value ? flagged : !missing.empty() ? missing : "undefined (a division by zero)";
        return m;
      }
    }
    m.reason = fmt::format("no {} event in this PMU's groups", col);
    return m;
  }

  const std::vector<Group>& groups_;
  const std::vector<Pass>& passes_;
  const std::vector<std::string>& columns_;
  std::vector<PassData> per_pass_;
  AmdL3Session l3_;
  std::size_t current_ = 0;
};

class PerfBackend final : public CounterBackend {
 public:
  PerfBackend(Pmu pmu, std::vector<Group> groups, PerfSysPtr sys)
      : pmu_(std::move(pmu)), groups_(std::move(groups)), sys_(std::move(sys)), l3_(discover_amd_l3(pmu_.name, sys_)) {
    const bool watchdog = nmi_watchdog_on();
    const int budget = counter_budget(pmu_, watchdog);
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      Pass pass{g, {}, {}};
      std::vector<EventDef> in_pass;
      for (const auto& e : groups_[g].events) {
        in_pass.push_back(e);
        if (counters_needed(pmu_, in_pass, watchdog) > budget) {
          passes_.push_back(pass);
          pass.events.clear();
          pass.must_count.clear();
          in_pass = {e};
        }
        pass.events.push_back(encode_event(e.name, e.spec));
        pass.must_count.push_back(e.must_count);
      }
      passes_.push_back(pass);
    }
    columns_ = canonical_counter_columns();
    for (const auto& g : groups_)
      for (const auto& m : g.metrics)
        if (std::find(columns_.begin(), columns_.end(), m.name) == columns_.end()) columns_.push_back(m.name);
    if (l3_.offered)
      for (const auto& c : amd_l3_columns()) columns_.push_back(c);
  }
  std::string source() const override { return "perf:" + pmu_.name; }
  std::string scope() const override {
    return fmt::format(
        "hardware counters ({}), user mode, timed loops only, summed over the pool's threads (their spin-waits "
        "included: see spin_ns), per call; {} pass(es) of ≤ {} counters; metric scopes in `cromwell list metrics`{}",
        pmu_.description, passes_.size(), counter_budget(pmu_, nmi_watchdog_on()), l3_.offered ? "; " + l3_.state : "");
  }
  std::vector<std::string> columns() const override { return columns_; }
  std::unique_ptr<CounterSession> open(Pool& pool) override {
    return std::make_unique<PerfSession>(groups_, passes_, columns_, pool, sys_, l3_);
  }

 private:
  Pmu pmu_;
  std::vector<Group> groups_;
  std::vector<Pass> passes_;
  std::vector<std::string> columns_;
  PerfSysPtr sys_;
  AmdL3Pmu l3_;
};

}  // namespace

std::unique_ptr<CounterBackend> make_perf_backend(const Pmu& pmu, const std::string& user_dir, PerfSysPtr sys) {
  return std::make_unique<PerfBackend>(pmu, load_groups(pmu.name, user_dir), std::move(sys));
}

}  // namespace cromwell
