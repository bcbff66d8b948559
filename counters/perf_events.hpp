#pragma once
// perf_event_open mechanics: encoding (libpfm4 or raw), one group per thread read with
// PERF_FORMAT_GROUP | ID | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING, multiplex scaling by the
// deltas over a counted region, and errno turned into advice.
#include <sys/types.h>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct perf_event_attr;

namespace cromwell {

struct EventCode {
  std::string name;
  std::uint32_t type = 0;
  std::uint64_t config = 0, config1 = 0;
};

// Encodes a libpfm name ("amd64_fam19h_zen3::RETIRED_INSTRUCTIONS", "perf::CYCLES") or a raw
// entry ("event=0x43,umask=0x5c"). libpfm is initialised with LIBPFM_ENCODE_INACTIVE=1, so every
// model's table encodes on any machine. Throws std::invalid_argument with libpfm's reason.
EventCode encode_event(const std::string& name, const std::string& spec);

// Everything the counter backends ask of the kernel, in one interface that tests replace: replayed
// readings, ENOENT/EACCES/EINVAL, events stuck at 0, fake sysfs trees — without touching sysctls.
// Each call behaves as the system call does: -1 with errno set on failure.
class PerfSys {
 public:
  virtual ~PerfSys() = default;
  virtual int open(perf_event_attr& attr, pid_t pid, int cpu, int group_fd, unsigned long flags) = 0;
  virtual int ioctl(int fd, unsigned long request, unsigned long arg) = 0;
  virtual ssize_t read(int fd, void* buf, std::size_t bytes) = 0;
  virtual int close(int fd) = 0;
  // Where sysfs is mounted ("/sys"): PMU discovery reads <root>/bus/event_source/devices/<pmu>/.
  virtual std::string sysfs_root() const { return "/sys"; }
};
using PerfSysPtr = std::shared_ptr<PerfSys>;
PerfSysPtr system_perf();

// Advice for an errno of perf_event_open.
std::string perf_errno_advice(int err);

// One reading of a group over the region between start() and stop(): raw counts by event position
// (0 for an event that did not open) and the time the group was enabled and running in that region.
struct GroupReading {
  std::vector<std::uint64_t> values;
  std::uint64_t enabled = 0, running = 0;
};

// What opening one event of a group gave: empty `error` when it opened.
struct EventOpen {
  std::string name, error;
  int err = 0;
};

// A value with its multiplexing coverage: scaled = raw·enabled/running; empty when running == 0.
struct Scaled {
  std::optional<double> value;
  double coverage = 0;  // running / enabled
};
Scaled scale(std::uint64_t raw, std::uint64_t enabled, std::uint64_t running);

// Where and how a group counts: one thread (pid = its kernel tid, 0 = the caller, cpu -1) or one
// CPU for every process (pid -1, cpu ≥ 0: an uncore PMU such as amd_l3); user mode only unless
// `user_only` is false.
struct GroupTarget {
  pid_t pid = 0;
  int cpu = -1;
  bool user_only = true;
};

// One counting group. An event that fails to open is left out with its errno (the first event that
// opens leads the group): one missing event does not blank the others.
class PerfGroup {
 public:
  PerfGroup() = default;
  PerfGroup(const PerfGroup&) = delete;
  PerfGroup& operator=(const PerfGroup&) = delete;
  PerfGroup(PerfGroup&& o) noexcept;
  PerfGroup& operator=(PerfGroup&& o) noexcept;
  ~PerfGroup();
  // Opens what it can; returns whether every event opened. `events()` says how each went.
  bool open(const std::vector<EventCode>& events, const GroupTarget& target, PerfSysPtr sys);
  void start();  // resets the counts and enables the group
  void stop();
  // The counts and times of the region since start(); read once after each stop(). False when
  // nothing opened or the read fails (a pinned group in error).
  bool read(GroupReading& out);
  const std::vector<EventOpen>& events() const { return opened_; }
  bool opened(std::size_t i) const { return opened_[i].error.empty(); }
  bool any_open() const { return !fds_.empty(); }
  // The first failure, naming the event, errno and advice ("" when every event opened).
  std::string error() const;
  int error_errno() const;

 private:
  void close_all();
  bool read_raw(std::vector<std::uint64_t>& buf) const;
  PerfSysPtr sys_;
  std::vector<int> fds_;            // opened events only, leader first
  std::vector<std::size_t> index_;  // event position of each fd
  std::vector<std::uint64_t> ids_;
  std::vector<EventOpen> opened_;                      // one per event given to open()
  std::uint64_t enabled0_ = 0, running0_ = 0;          // times when the region started
  std::uint64_t last_enabled_ = 0, last_running_ = 0;  // times of the last read
};

}  // namespace cromwell
