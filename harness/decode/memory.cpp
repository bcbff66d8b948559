#include "harness/decode/memory.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace cromwell::decode {
namespace {

std::optional<std::int64_t> read_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stoll(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string own_cgroup_dir() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  return "";
}

double gib(std::int64_t b) { return double(b) / double(1 << 30); }

}  // namespace

std::optional<std::int64_t> MemoryRoom::room() const {
  std::optional<std::int64_t> r = available;
  if (cgroup_max) {
    const std::int64_t head = *cgroup_max - cgroup_current.value_or(0);
    r = r ? std::min(*r, head) : head;
  }
  return r;
}

MemoryRoom read_memory_room(const std::string& meminfo, const std::string& cgroup_dir) {
  MemoryRoom m;
  m.meminfo_path = meminfo;
  m.cgroup_dir = cgroup_dir;
  std::ifstream in(meminfo);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream s(line.substr(13));
      std::int64_t kib = 0;
      std::string unit;
      if (s >> kib >> unit && unit == "kB") m.available = kib * 1024;
    }
  if (!cgroup_dir.empty()) {
    m.cgroup_max = read_number(cgroup_dir + "/memory.max");
    if (m.cgroup_max) m.cgroup_current = read_number(cgroup_dir + "/memory.current");
  }
  return m;
}

MemoryRoom memory_room() {
  const char* meminfo = std::getenv("CROMWELL_MEMINFO");
  const char* cgroup = std::getenv("CROMWELL_CGROUP_DIR");
  return read_memory_room(meminfo ? meminfo : "/proc/meminfo", cgroup ? cgroup : own_cgroup_dir());
}

std::string memory_refusal(std::int64_t need, const MemoryRoom& m, const std::string& what) {
  const std::optional<std::int64_t> room = m.room();
  if (!room || double(need) * 1.1 <= double(*room)) return "";
  std::string where = m.available ? fmt::format("MemAvailable {:.2f} GiB ({})", gib(*m.available), m.meminfo_path)
                                  : std::string("MemAvailable unknown");
  if (m.cgroup_max)
    where += fmt::format(", cgroup memory.max {:.2f} GiB with {:.2f} GiB in use ({})", gib(*m.cgroup_max),
                         gib(m.cgroup_current.value_or(0)), m.cgroup_dir);
  return fmt::format(
      "not enough memory for {}: it needs {:.2f} GiB and 10 % to spare, this process may take {:.2f} GiB ({}); "
      "measure fewer layers (--layers N) or a smaller weight format (--weights bf16|q8_0|q4_0)",
      what, gib(need), gib(*room), where);
}

}  // namespace cromwell::decode
