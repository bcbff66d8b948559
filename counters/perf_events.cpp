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

namespace {
class SystemPerf final : public PerfSys {
 public:
  int open(perf_event_attr& a, pid_t pid, int cpu, int group, unsigned long flags) override {
    return static_cast<int>(syscall(SYS_perf_event_open, &a, pid, cpu, group, flags));
  }
  int ioctl(int fd, unsigned long request, unsigned long arg) override { return ::ioctl(fd, request, arg); }
  ssize_t read(int fd, void* buf, std::size_t bytes) override { return ::read(fd, buf, bytes); }
  int close(int fd) override { return ::close(fd); }
};
}  // namespace

PerfSysPtr system_perf() {
  static const PerfSysPtr sys = std::make_shared<SystemPerf>();
  return sys;
}

std::string perf_errno_advice(int err) {
  switch (err) {
    case ENOENT:
    case EOPNOTSUPP:
      return "the kernel does not know this event on this CPU (or there is no hardware PMU: a VM without PMU "
             "passthrough; --counters sim gives simulated cache misses)";
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
    sys_ = std::move(o.sys_);
    fds_ = std::move(o.fds_);
    index_ = std::move(o.index_);
    ids_ = std::move(o.ids_);
    opened_ = std::move(o.opened_);
    enabled0_ = o.enabled0_;
    running0_ = o.running0_;
    last_enabled_ = o.last_enabled_;
    last_running_ = o.last_running_;
    o.fds_.clear();
  }
  return *this;
}

PerfGroup::~PerfGroup() { close_all(); }

void PerfGroup::close_all() {
  for (int fd : fds_) sys_->close(fd);
  fds_.clear();
  index_.clear();
  ids_.clear();
}

bool PerfGroup::open(const std::vector<EventCode>& events, const GroupTarget& target, PerfSysPtr sys) {
  close_all();
  sys_ = std::move(sys);
  opened_.assign(events.size(), {});
  for (std::size_t i = 0; i < events.size(); ++i) {
    opened_[i].name = events[i].name;
    perf_event_attr a{};
    a.size = sizeof a;
    a.type = events[i].type;
    a.config = events[i].config;
    a.config1 = events[i].config1;
    a.disabled = fds_.empty();
    a.exclude_kernel = target.user_only;
    a.exclude_hv = target.user_only;
    a.read_format =
        PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    const int fd = sys_->open(a, target.pid, target.cpu, fds_.empty() ? -1 : fds_[0], PERF_FLAG_FD_CLOEXEC);
    if (fd < 0) {
      opened_[i].err = errno;
      opened_[i].error = fmt::format("{}: perf_event_open: {} — {}", events[i].name, std::strerror(opened_[i].err),
                                     perf_errno_advice(opened_[i].err));
      continue;
    }
    std::uint64_t id = 0;
    sys_->ioctl(fd, PERF_EVENT_IOC_ID, reinterpret_cast<unsigned long>(&id));
    fds_.push_back(fd);
    index_.push_back(i);
    ids_.push_back(id);
  }
  return fds_.size() == events.size();
}

std::string PerfGroup::error() const {
  for (const auto& e : opened_)
    if (!e.error.empty()) return e.error;
  return "";
}

int PerfGroup::error_errno() const {
  for (const auto& e : opened_)
    if (!e.error.empty()) return e.err;
  return 0;
}

bool PerfGroup::read_raw(std::vector<std::uint64_t>& buf) const {
  if (fds_.empty()) return false;
  buf.assign(3 + 2 * fds_.size(), 0);
  const ssize_t n = sys_->read(fds_[0], buf.data(), buf.size() * sizeof(std::uint64_t));
  return n >= static_cast<ssize_t>(3 * sizeof(std::uint64_t));
}

void PerfGroup::start() {
  if (fds_.empty()) return;
  // RESET zeroes the counts but not the times, so a region is scaled by its own enabled/running
  // ratio: the times of the last read are its base (a disabled group's times stand still).
  enabled0_ = last_enabled_;
  running0_ = last_running_;
  sys_->ioctl(fds_[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
  sys_->ioctl(fds_[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void PerfGroup::stop() {
  if (!fds_.empty()) sys_->ioctl(fds_[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

bool PerfGroup::read(GroupReading& out) {
  std::vector<std::uint64_t> buf;
  if (!read_raw(buf)) return false;
  last_enabled_ = buf[1];
  last_running_ = buf[2];
  out.enabled = buf[1] >= enabled0_ ? buf[1] - enabled0_ : 0;
  out.running = buf[2] >= running0_ ? buf[2] - running0_ : 0;
  out.values.assign(opened_.size(), 0);
  for (std::uint64_t i = 0; i < buf[0] && i < fds_.size(); ++i)
    for (std::size_t k = 0; k < ids_.size(); ++k)
      if (ids_[k] == buf[4 + 2 * i]) out.values[index_[k]] = buf[3 + 2 * i];
  return true;
}

}  // namespace cromwell
