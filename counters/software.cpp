// --counters sw: software events per pool thread, in one of three modes chosen once:
//   all     task clock, page faults, context switches and migrations in one group per thread with
//           kernel mode included — where permitted (root, CAP_PERFMON, perf_event_paranoid ≤ 1).
//           Context switches and migrations happen in the kernel: with exclude_kernel set the
//           kernel drops every one of them.
//   user    refused that (EACCES at paranoid 2 for a normal user): task clock and page faults in
//           user mode, context switches from getrusage(RUSAGE_THREAD) of each pool thread, and
//           migrations empty with the reason (getrusage has no such count) — never a 0 that was
//           not counted.
//   rusage  even user-mode software events refused (paranoid 3, a Debian/Ubuntu patch): getrusage
//           and CLOCK_THREAD_CPUTIME_ID for everything but migrations.
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

std::vector<EventCode> software_events(std::size_t count) {
  std::vector<EventCode> e = {{"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0},
                              {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0},
                              {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0},
                              {"cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 0}};
  e.resize(count);
  return e;
}

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

// What the kernel permits, found once on the calling thread.
struct Mode {
  std::size_t events = 0;  // 4: all with kernel mode; 2: task clock and page faults in user mode; 0: none
  bool user_only = false;
  std::string refused;  // why not more: the kernel's refusals, named
};

Mode probe(const PerfSysPtr& sys) {
  PerfGroup all, user;
  if (all.open(software_events(4), {0, -1, false}, sys)) return {4, false, ""};
  if (user.open(software_events(2), {0, -1, true}, sys))
    return {2, true, "kernel-mode scheduler events refused: " + all.error()};
  return {0, true, "software perf events refused: " + user.error()};
}

// Per pool thread: one group of the permitted events, and getrusage around the timed loop for what
// it does not cover.
class SoftwareSession final : public CounterSession {
 public:
  SoftwareSession(Pool& pool, const PerfSysPtr& sys, const Mode& mode)
      : pool_(pool), mode_(mode), before_(pool.size()), after_(pool.size()), totals_(mode.events, 0.0) {
    if (mode_.events == 0) return;
    for (int tid : pool.tids()) {
      PerfGroup g;
      if (!g.open(software_events(mode_.events), {tid, -1, mode_.user_only}, sys)) error_ = g.error();
      groups_.push_back(std::move(g));
    }
  }
  void start() override {
    if (uses_rusage()) pool_.run([&](int t) { before_[t] = thread_usage(); });
    for (auto& g : groups_) g.start();
  }
  void stop(std::size_t calls) override {
    for (auto& g : groups_) g.stop();
    if (uses_rusage()) {
      pool_.run([&](int t) { after_[t] = thread_usage(); });
      for (int t = 0; t < pool_.size(); ++t) {
        usage_.cpu_ns += after_[t].cpu_ns - before_[t].cpu_ns;
        usage_.faults += after_[t].faults - before_[t].faults;
        usage_.switches += after_[t].switches - before_[t].switches;
      }
    }
    for (auto& g : groups_) {
      GroupReading r;
      if (!g.read(r)) {
        error_ = "the software event group could not be read: not counted";
        continue;
      }
      if (r.enabled == 0) continue;  // the thread slept through the loop: nothing to count
      if (r.running == 0) {
        error_ = "the software event group never ran: not counted";
        continue;
      }
      for (std::size_t i = 0; i < r.values.size(); ++i) totals_[i] += *scale(r.values[i], r.enabled, r.running).value;
    }
    calls_ += calls;
  }
  std::vector<Metric> finish() override {
    std::vector<Metric> out;
    const double n = double(calls_);
    const double from_rusage[] = {usage_.cpu_ns, usage_.faults, usage_.switches};
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      Metric m{kColumns[i], std::nullopt, ""};
      if (calls_ == 0)
        m.reason = "no timed loop ran";
      else if (i < mode_.events && !error_.empty())
        m.reason = error_;
      else if (i < mode_.events)
        m.value = totals_[i] / n;
      else if (i < 3)
        m.value = from_rusage[i] / n;
      else
        m.reason = "not counted: " + mode_.refused + "; getrusage has no migration count";
      out.push_back(m);
    }
    return out;
  }

 private:
  bool uses_rusage() const { return mode_.events < 4; }
  Pool& pool_;
  Mode mode_;
  std::vector<PerfGroup> groups_;
  std::vector<ThreadUsage> before_, after_;
  ThreadUsage usage_;
  std::vector<double> totals_;
  std::size_t calls_ = 0;
  std::string error_;
};

class SoftwareBackend final : public CounterBackend {
 public:
  explicit SoftwareBackend(PerfSysPtr sys) : sys_(std::move(sys)), mode_(probe(sys_)) {}
  std::string source() const override { return mode_.events == 0 ? "sw:rusage" : "sw"; }
  std::string scope() const override {
    switch (mode_.events) {
      case 4:
        return "software perf events of every pool thread, kernel mode included, timed loops only, per call";
      case 2:
        return "software perf events of every pool thread, timed loops only, per call: task clock and page faults "
               "in user mode; context switches from getrusage(RUSAGE_THREAD); no migration count (" +
               mode_.refused + ")";
      default:
        return "getrusage(RUSAGE_THREAD) and CLOCK_THREAD_CPUTIME_ID of every pool thread, per call; no migration "
               "count (" +
               mode_.refused + ")";
    }
  }
  std::vector<std::string> columns() const override { return kColumns; }
  std::unique_ptr<CounterSession> open(Pool& pool) override {
    return std::make_unique<SoftwareSession>(pool, sys_, mode_);
  }

 private:
  PerfSysPtr sys_;
  Mode mode_;
};

}  // namespace

std::unique_ptr<CounterBackend> make_software_backend(PerfSysPtr sys) {
  return std::make_unique<SoftwareBackend>(std::move(sys));
}

}  // namespace cromwell
