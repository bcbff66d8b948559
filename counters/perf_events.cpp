// <linux/perf_event.h> must come before the libpfm header, or the two clash.
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "counters/perf_events.hpp"

#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "counters/groups.hpp"

namespace cromwell {

namespace {
void init_libpfm() {
  static std::once_flag once;
  static int status = PFM_SUCCESS;
  std::call_once(once, [] {
    setenv("LIBPFM_ENCODE_INACTIVE", "1", 0);
    status = pfm_initialize();
  });
  if (status != PFM_SUCCESS) throw std::runtime_error(fmt::format("pfm_initialize: {}", pfm_strerror(status)));
}
}  // namespace

EventCode encode_event(const std::string& name, const std::string& spec) {
  EventCode c;
  c.name = name;
  if (is_raw(spec)) {
    c.type = PERF_TYPE_RAW;
    c.config = raw_config(spec);
    return c;
  }
  init_libpfm();
  perf_event_attr attr{};
  attr.size = sizeof attr;
  pfm_perf_encode_arg_t arg{};
  arg.size = sizeof arg;
  arg.attr = &attr;
  const int ret = pfm_get_os_event_encoding(spec.c_str(), PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
  if (ret != PFM_SUCCESS)
    throw std::invalid_argument(
        fmt::format("event {} = '{}': libpfm cannot encode it: {}", name, spec, pfm_strerror(ret)));
  c.type = attr.type;
  c.config = attr.config;
  c.config1 = attr.config1;
  return c;
}

PerfOpenFn system_perf_open() {
  return [](perf_event_attr* a, pid_t pid, int cpu, int group, unsigned long flags) {
    return static_cast<int>(syscall(SYS_perf_event_open, a, pid, cpu, group, flags));
  };
}

std::string perf_errno_advice(int err) {
  switch (err) {
    case ENOENT:
    case EOPNOTSUPP:
      return "no hardware PMU here (a VM without PMU passthrough, or an event this CPU lacks): use --counters sim "
             "for simulated cache misses";
    case EACCES:
    case EPERM:
      return "not permitted: lower kernel.perf_event_paranoid (sudo sysctl kernel.perf_event_paranoid=2) or grant "
             "CAP_PERFMON (sudo setcap cap_perfmon+ep build/cromwell)";
    case EINVAL:
      return "the kernel refused the event or group (too many events for the counters, or an encoding this PMU "
             "does not take)";
    case EBUSY:
      return "the PMU is busy: another profiler holds the counters";
    case EMFILE:
      return "too many open files: raise the limit (ulimit -n)";
    default:
      return std::strerror(err);
  }
}

Scaled scale(std::uint64_t raw, std::uint64_t enabled, std::uint64_t running) {
  Scaled s;
  if (running == 0 || enabled == 0) return s;
  s.coverage = double(running) / double(enabled);
  s.value = double(raw) * double(enabled) / double(running);
  return s;
}

PerfGroup::PerfGroup(PerfGroup&& o) noexcept { *this = std::move(o); }

PerfGroup& PerfGroup::operator=(PerfGroup&& o) noexcept {
  if (this != &o) {
    close_all();
    fds_ = std::move(o.fds_);
    ids_ = std::move(o.ids_);
    error_ = std::move(o.error_);
    errno_ = o.errno_;
    o.fds_.clear();
  }
  return *this;
}

PerfGroup::~PerfGroup() { close_all(); }

void PerfGroup::close_all() {
  for (int fd : fds_) close(fd);
  fds_.clear();
  ids_.clear();
}

bool PerfGroup::open(const std::vector<EventCode>& events, pid_t tid, const PerfOpenFn& open_fn) {
  close_all();
  for (std::size_t i = 0; i < events.size(); ++i) {
    perf_event_attr a{};
    a.size = sizeof a;
    a.type = events[i].type;
    a.config = events[i].config;
    a.config1 = events[i].config1;
    a.disabled = i == 0;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    a.read_format =
        PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    const int fd = open_fn(&a, tid, -1, fds_.empty() ? -1 : fds_[0], PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      errno_ = errno;
      error_ =
          fmt::format("{}: perf_event_open: {} — {}", events[i].name, std::strerror(errno_), perf_errno_advice(errno_));
      close_all();
      return false;
    }
    std::uint64_t id = 0;
    ioctl(fd, PERF_EVENT_IOC_ID, &id);
    fds_.push_back(fd);
    ids_.push_back(id);
  }
  return true;
}

void PerfGroup::start() {
  if (fds_.empty()) return;
  ioctl(fds_[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
  ioctl(fds_[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void PerfGroup::stop() {
  if (!fds_.empty()) ioctl(fds_[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

bool PerfGroup::read(GroupReading& out) const {
  if (fds_.empty()) return false;
  std::vector<std::uint64_t> buf(3 + 2 * fds_.size());
  const ssize_t n = ::read(fds_[0], buf.data(), buf.size() * sizeof(std::uint64_t));
  if (n <= 0) return false;
  out.enabled = buf[1];
  out.running = buf[2];
  out.values.assign(fds_.size(), 0);
  for (std::uint64_t i = 0; i < buf[0] && i < fds_.size(); ++i)
    for (std::size_t k = 0; k < ids_.size(); ++k)
      if (ids_[k] == buf[4 + 2 * i]) out.values[k] = buf[3 + 2 * i];
  return true;
}

}  // namespace cromwell
