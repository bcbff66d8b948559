// --counters sw: software events per pool thread. Task clock and page faults count in user mode.
// Context switches and migrations happen in the kernel, so with exclude_kernel set the kernel drops
// every one of them: they are opened with kernel mode included where that is permitted (root,
// CAP_PERFMON, or perf_event_paranoid ≤ 1). Where it is refused, context switches come from
// getrusage(RUSAGE_THREAD) of each pool thread and migrations stay empty with the reason (getrusage
// has no such count) — never a 0 that was not counted. Where even user-mode software events are
// refused (perf_event_paranoid 3, a Debian/Ubuntu patch), every value comes from getrusage and
// CLOCK_THREAD_CPUTIME_ID.
#include <linux/perf_event.h>

#include <sys/resource.h>
#include <unistd.h>
#include <cerrno>
#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "counters/perf_backend.hpp"
#include "harness/platform/pool.hpp"

namespace cromwell {
namespace {

const std::vector<std::string> kColumns = {"task_clock_ns", "page_faults", "context_switches", "cpu_migrations"};

// Counted in user mode; counted with kernel mode included.
std::vector<EventCode> user_events() {
  return {{"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0},
          {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0}};
}
std::vector<EventCode> sched_events() {
  return {{"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0},
          {"cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 0}};
}
constexpr GroupTarget kUser{0, -1, true};
constexpr GroupTarget kWithKernel{0, -1, false};

struct ThreadUsage {
  double cpu_ns = 0, faults = 0, switches = 0;
};

ThreadUsage thread_usage() {
  ThreadUsage u;
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  u.cpu_ns = double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
  u.faults = double(ru.ru_minflt + ru.ru_majflt);
  u.switches = double(ru.ru_nvcsw + ru.ru_nivcsw);
  return u;
}

// What the kernel permits, found once on the calling thread: an empty reason means permitted.
struct Permits {
  std::string user_refused, sched_refused;
};

Permits probe(const PerfSysPtr& sys) {
  Permits p;
  PerfGroup user, sched;
  if (!user.open(user_events(), kUser, sys)) p.user_refused = user.error();
  if (!sched.open(sched_events(), kWithKernel, sys)) p.sched_refused = sched.error();
  return p;
}

// Per pool thread: the perf groups that are permitted, and getrusage around the timed loop for
// what they do not cover.
class SoftwareSession final : public CounterSession {
 public:
  SoftwareSession(Pool& pool, const PerfSysPtr& sys, const Permits& permits)
      : pool_(pool), permits_(permits), before_(pool.size()), after_(pool.size()) {
    for (int tid : pool.tids()) {
      if (permits_.user_refused.empty()) open_group(user_, user_events(), {tid, -1, true}, sys);
      if (permits_.sched_refused.empty()) open_group(sched_, sched_events(), {tid, -1, false}, sys);
    }
  }
  void start() override {
    if (uses_rusage()) pool_.run([&](int t) { before_[t] = thread_usage(); });
    for (auto* gs : {&user_, &sched_})
      for (auto& g : *gs) g.start();
  }
  void stop(std::size_t calls) override {
    for (auto* gs : {&user_, &sched_})
      for (auto& g : *gs) g.stop();
    if (uses_rusage()) {
      pool_.run([&](int t) { after_[t] = thread_usage(); });
      for (int t = 0; t < pool_.size(); ++t) {
        usage_.cpu_ns += after_[t].cpu_ns - before_[t].cpu_ns;
        usage_.faults += after_[t].faults - before_[t].faults;
        usage_.switches += after_[t].switches - before_[t].switches;
      }
    }
    add(user_, user_totals_);
    add(sched_, sched_totals_);
    calls_ += calls;
  }
  std::vector<Metric> finish() override {
    if (calls_ == 0) {
      std::vector<Metric> out;
      for (const auto& c : kColumns) out.push_back({c, std::nullopt, "no timed loop ran"});
      return out;
    }
    const double n = double(calls_);
    // From the perf group where it was permitted, else from getrusage.
    auto value = [&](const std::string& name, const std::string& refused, const Totals& t, std::size_t i,
                     double rusage_total) -> Metric {
      if (!refused.empty()) return {name, rusage_total / n, ""};
      if (!t.error.empty()) return {name, std::nullopt, t.error};
      return {name, t.values[i] / n, ""};
    };
    const std::string& user = permits_.user_refused;
    const std::string& sched = permits_.sched_refused;
    std::vector<Metric> out = {value("task_clock_ns", user, user_totals_, 0, usage_.cpu_ns),
                               value("page_faults", user, user_totals_, 1, usage_.faults),
                               value("context_switches", sched, sched_totals_, 0, usage_.switches)};
    if (sched.empty())
      out.push_back(value("cpu_migrations", sched, sched_totals_, 1, 0));
    else
      out.push_back({"cpu_migrations", std::nullopt,
                     "not counted: the kernel refused scheduler events with kernel mode included (" + sched +
                         "), and getrusage has no migration count"});
    return out;
  }

 private:
  struct Totals {
    std::vector<double> values = std::vector<double>(2, 0.0);
    std::string error;
  };
  bool uses_rusage() const { return !permits_.user_refused.empty() || !permits_.sched_refused.empty(); }
  void open_group(std::vector<PerfGroup>& into, const std::vector<EventCode>& events, const GroupTarget& target,
                  const PerfSysPtr& sys) {
    PerfGroup g;
    if (!g.open(events, target, sys)) failure_ = g.error();
    into.push_back(std::move(g));
  }
  void add(std::vector<PerfGroup>& groups, Totals& totals) {
    if (!failure_.empty()) totals.error = failure_;
    for (auto& g : groups) {
      GroupReading r;
      if (!g.read(r) || r.running == 0) {
        totals.error = "the software event group never ran: not counted";
        continue;
      }
      for (std::size_t i = 0; i < r.values.size(); ++i)
        totals.values[i] += *scale(r.values[i], r.enabled, r.running).value;
    }
  }
  Pool& pool_;
  Permits permits_;
  std::vector<PerfGroup> user_, sched_;
  std::vector<ThreadUsage> before_, after_;
  ThreadUsage usage_;
  Totals user_totals_, sched_totals_;
  std::size_t calls_ = 0;
  std::string failure_;
};

class SoftwareBackend final : public CounterBackend {
 public:
  explicit SoftwareBackend(PerfSysPtr sys) : sys_(std::move(sys)), permits_(probe(sys_)) {}
  std::string source() const override { return permits_.user_refused.empty() ? "sw" : "sw:rusage"; }
  std::string scope() const override {
    std::string s = permits_.user_refused.empty()
                        ? "software perf events of every pool thread, timed loops only, per call: task clock and page "
                          "faults in user mode"
                        : "getrusage(RUSAGE_THREAD) and CLOCK_THREAD_CPUTIME_ID of every pool thread, per call "
                          "(software perf events refused: " +
                              permits_.user_refused + ")";
    if (permits_.sched_refused.empty()) return s + "; context switches and migrations with kernel mode included";
    if (permits_.user_refused.empty())
      s += "; context switches from getrusage(RUSAGE_THREAD) (kernel-mode scheduler events refused: " +
           permits_.sched_refused + ")";
    return s + "; no migration count";
  }
  std::vector<std::string> columns() const override { return kColumns; }
  std::unique_ptr<CounterSession> open(Pool& pool) override {
    return std::make_unique<SoftwareSession>(pool, sys_, permits_);
  }

 private:
  PerfSysPtr sys_;
  Permits permits_;
};

}  // namespace

std::unique_ptr<CounterBackend> make_software_backend(PerfSysPtr sys) {
  return std::make_unique<SoftwareBackend>(std::move(sys));
}

}  // namespace cromwell
