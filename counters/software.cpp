// --counters sw: software events per pool thread (task clock, page faults, context switches,
// migrations). Where the kernel refuses even these (perf_event_paranoid 3, a stock Debian
// default), each thread reads getrusage(RUSAGE_THREAD) and CLOCK_THREAD_CPUTIME_ID itself.
#include <linux/perf_event.h>

#include <sys/resource.h>
#include <unistd.h>
#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "counters/perf_backend.hpp"
#include "harness/platform/pool.hpp"

namespace cromwell {
namespace {

const std::vector<std::string> kColumns = {"task_clock_ns", "page_faults", "context_switches", "cpu_migrations"};

std::vector<EventCode> software_events() {
  return {{"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0},
          {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0},
          {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0},
          {"cpu_migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 0}};
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

class EventSession final : public CounterSession {
 public:
  EventSession(Pool& pool, const PerfOpenFn& open_fn) {
    for (int tid : pool.tids()) {
      PerfGroup g;
      if (!g.open(software_events(), tid, open_fn)) {
        error_ = g.error();
        return;
      }
      groups_.push_back(std::move(g));
    }
  }
  void start() override {
    for (auto& g : groups_) g.start();
  }
  void stop(std::size_t calls) override {
    for (auto& g : groups_) {
      g.stop();
      GroupReading r;
      if (!g.read(r) || r.running == 0) {
        error_ = "the software event group never ran: not counted";
        continue;
      }
      totals_.resize(r.values.size(), 0.0);
      for (std::size_t i = 0; i < r.values.size(); ++i) totals_[i] += *scale(r.values[i], r.enabled, r.running).value;
    }
    calls_ += calls;
  }
  std::vector<Metric> finish() override {
    std::vector<Metric> out;
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      if (!error_.empty() || calls_ == 0 || i >= totals_.size())
        out.push_back({kColumns[i], std::nullopt, error_.empty() ? "no timed loop ran" : error_});
      else
        out.push_back({kColumns[i], totals_[i] / double(calls_), ""});
    }
    return out;
  }

 private:
  std::vector<PerfGroup> groups_;
  std::vector<double> totals_;
  std::size_t calls_ = 0;
  std::string error_;
};

// The fallback: every pool thread reads its own usage before and after the timed loop.
class UsageSession final : public CounterSession {
 public:
  explicit UsageSession(Pool& pool) : pool_(pool), before_(pool.size()), after_(pool.size()) {}
  void start() override {
    pool_.run([&](int t) { before_[t] = thread_usage(); });
  }
  void stop(std::size_t calls) override {
    pool_.run([&](int t) { after_[t] = thread_usage(); });
    for (int t = 0; t < pool_.size(); ++t) {
      cpu_ns_ += after_[t].cpu_ns - before_[t].cpu_ns;
      faults_ += after_[t].faults - before_[t].faults;
      switches_ += after_[t].switches - before_[t].switches;
    }
    calls_ += calls;
  }
  std::vector<Metric> finish() override {
    if (calls_ == 0) {
      std::vector<Metric> out;
      for (const auto& c : kColumns) out.push_back({c, std::nullopt, "no timed loop ran"});
      return out;
    }
    const double n = double(calls_);
    return {{"task_clock_ns", cpu_ns_ / n, ""},
            {"page_faults", faults_ / n, ""},
            {"context_switches", switches_ / n, ""},
            {"cpu_migrations", std::nullopt, "getrusage has no migration count (software perf events were refused)"}};
  }

 private:
  Pool& pool_;
  std::vector<ThreadUsage> before_, after_;
  double cpu_ns_ = 0, faults_ = 0, switches_ = 0;
  std::size_t calls_ = 0;
};

class SoftwareBackend final : public CounterBackend {
 public:
  explicit SoftwareBackend(PerfOpenFn open_fn) : open_(std::move(open_fn)) {
    // Probe once on the calling thread: refused (EACCES/EPERM) → the getrusage fallback.
    PerfGroup probe;
    if (!probe.open(software_events(), 0, open_)) {
      fallback_ = true;
      why_ = probe.error();
    }
  }
  std::string source() const override { return fallback_ ? "sw:rusage" : "sw"; }
  std::string scope() const override {
    return fallback_ ? "getrusage(RUSAGE_THREAD) and CLOCK_THREAD_CPUTIME_ID of every pool thread, per call (software "
                       "perf events refused: " +
                           why_ + ")"
                     : "software perf events of every pool thread (user and kernel time of the thread), timed loops "
                       "only, per call";
  }
  std::vector<std::string> columns() const override { return kColumns; }
  std::unique_ptr<CounterSession> open(Pool& pool) override {
    if (fallback_) return std::make_unique<UsageSession>(pool);
    return std::make_unique<EventSession>(pool, open_);
  }
  bool fallback() const { return fallback_; }

 private:
  PerfOpenFn open_;
  bool fallback_ = false;
  std::string why_;
};

}  // namespace

std::unique_ptr<CounterBackend> make_software_backend(PerfOpenFn open_fn) {
  return std::make_unique<SoftwareBackend>(std::move(open_fn));
}

}  // namespace cromwell
