#pragma once
// perf_event_open mechanics: encoding (libpfm4 or raw), one group per thread read with
// PERF_FORMAT_GROUP | ID | TOTAL_TIME_ENABLED | TOTAL_TIME_RUNNING, multiplex scaling, and errno
// turned into advice.
#include <sys/types.h>
#include <cstdint>
#include <functional>
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

// The system call, replaceable in tests (to exercise EACCES without touching sysctls).
using PerfOpenFn = std::function<int(perf_event_attr*, pid_t, int cpu, int group_fd, unsigned long flags)>;
PerfOpenFn system_perf_open();

// Advice for an errno of perf_event_open.
std::string perf_errno_advice(int err);

// One reading of a group: raw values by position, and the group's enabled/running times.
struct GroupReading {
  std::vector<std::uint64_t> values;
  std::uint64_t enabled = 0, running = 0;
};

// A value with its multiplexing coverage: scaled = raw·enabled/running; empty when running == 0.
struct Scaled {
  std::optional<double> value;
  double coverage = 0;  // running / enabled
};
Scaled scale(std::uint64_t raw, std::uint64_t enabled, std::uint64_t running);

// One counting group on one thread (pid = its kernel tid, 0 = the caller), user mode only.
class PerfGroup {
 public:
  PerfGroup() = default;
  PerfGroup(const PerfGroup&) = delete;
  PerfGroup& operator=(const PerfGroup&) = delete;
  PerfGroup(PerfGroup&& o) noexcept;
  PerfGroup& operator=(PerfGroup&& o) noexcept;
  ~PerfGroup();
  // Returns false with `error()` set (naming the event and the advice) when an event does not open.
  bool open(const std::vector<EventCode>& events, pid_t tid, const PerfOpenFn& open_fn);
  void start();
  void stop();
  bool read(GroupReading& out) const;  // false when the read fails (a pinned group in error)
  const std::string& error() const { return error_; }
  int error_errno() const { return errno_; }

 private:
  void close_all();
  std::vector<int> fds_;
  std::vector<std::uint64_t> ids_;
  std::string error_;
  int errno_ = 0;
};

}  // namespace cromwell
