#include "harness/platform/steal.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace cromwell {

CpuTimes read_cpu_times() {
  CpuTimes t;
  std::ifstream in("/proc/stat");
  std::string line;
  if (!std::getline(in, line) || line.rfind("cpu ", 0) != 0) return t;
  std::istringstream fields(line.substr(4));
  // user nice system idle iowait irq softirq steal [guest guest_nice: already in user/nice]
  std::uint64_t v[8] = {};
  int n = 0;
  while (n < 8 && (fields >> v[n])) ++n;
  if (n < 8) return t;
  for (int i = 0; i < 8; ++i) t.total += v[i];
  t.steal = v[7];
  t.valid = true;
  return t;
}

std::optional<double> steal_pct(const CpuTimes& before, const CpuTimes& after) {
  if (!before.valid || !after.valid || after.total <= before.total) return std::nullopt;
  return 100.0 * double(after.steal - before.steal) / double(after.total - before.total);
}

}  // namespace cromwell
