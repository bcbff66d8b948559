#pragma once
// A PerfSys that replays readings instead of asking the kernel: each event opens or fails with a
// scripted errno, and each enabled period (ENABLE … DISABLE) of a group adds scripted counts to its
// events and scripted times to the group's time enabled and running — counts restart at RESET,
// times do not, as in the kernel. Every open is recorded with its attributes.
#include <linux/perf_event.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "counters/perf_events.hpp"

namespace cromwell::test {

struct FakeEvent {
  perf_event_attr attr{};
  pid_t pid = 0;
  int cpu = -1, group_fd = -1, fd = -1, leader = -1;
  std::uint64_t id = 0, count = 0;
  bool closed = false;
};

struct Period {
  std::uint64_t enabled_ns = 1'000'000, running_ns = 1'000'000;
};

class FakePerf final : public PerfSys {
 public:
  // errno for an event that must fail to open (0: it opens).
  std::function<int(const FakeEvent&)> fail = [](const FakeEvent&) { return 0; };
  // What an event counts in the n-th enabled period of its group (n from 0).
  std::function<std::uint64_t(const FakeEvent&, int n)> counts = [](const FakeEvent&, int) { return 1000; };
  // The times the n-th enabled period adds to a group.
  std::function<Period(int n)> times = [](int) { return Period{}; };
  std::string root = "/nonexistent-sysfs";

  std::vector<FakeEvent> events;  // every event that opened, in order

  int open(perf_event_attr& attr, pid_t pid, int cpu, int group_fd, unsigned long) override {
    FakeEvent e;
    e.attr = attr;
    e.pid = pid;
    e.cpu = cpu;
    e.group_fd = group_fd;
    if (const int err = fail(e)) {
      errno = err;
      return -1;
    }
    e.fd = 100 + static_cast<int>(events.size());
    e.id = 5000 + events.size();
    e.leader = group_fd < 0 ? e.fd : group_fd;
    events.push_back(e);
    return e.fd;
  }
  int ioctl(int fd, unsigned long request, unsigned long arg) override {
    FakeEvent* e = find(fd);
    if (!e) {
      errno = EBADF;
      return -1;
    }
    if (request == PERF_EVENT_IOC_ID) {
      *reinterpret_cast<std::uint64_t*>(arg) = e->id;
    } else if (request == PERF_EVENT_IOC_RESET) {
      for (auto& m : events)
        if (m.leader == e->leader) m.count = 0;
    } else if (request == PERF_EVENT_IOC_DISABLE) {
      Group& g = groups_[e->leader];
      const Period p = times(g.periods);
      g.enabled += p.enabled_ns;
      g.running += p.running_ns;
      for (auto& m : events)
        if (m.leader == e->leader) m.count += counts(m, g.periods);
      ++g.periods;
    }
    return 0;
  }
  ssize_t read(int fd, void* buf, std::size_t bytes) override {
    const FakeEvent* e = find(fd);
    if (!e) {
      errno = EBADF;
      return -1;
    }
    std::vector<std::uint64_t> out = {0, groups_[e->leader].enabled, groups_[e->leader].running};
    for (const auto& m : events)
      if (m.leader == e->leader && !m.closed) {
        out.push_back(m.count);
        out.push_back(m.id);
        ++out[0];
      }
    const std::size_t n = std::min(bytes, out.size() * sizeof(std::uint64_t));
    std::memcpy(buf, out.data(), n);
    return static_cast<ssize_t>(n);
  }
  int close(int fd) override {
    if (FakeEvent* e = find(fd)) e->closed = true;
    return 0;
  }
  std::string sysfs_root() const override { return root; }

  // The config of an event from its raw encoding, to script by event.
  static std::uint64_t raw(unsigned event, unsigned umask = 0) { return (event & 0xff) | (umask << 8); }

 private:
  struct Group {
    std::uint64_t enabled = 0, running = 0;
    int periods = 0;
  };
  FakeEvent* find(int fd) {
    for (auto& e : events)
      if (e.fd == fd) return &e;
    return nullptr;
  }
  std::map<int, Group> groups_;
};

}  // namespace cromwell::test
