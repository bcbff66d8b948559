#include "counters/amd_l3.hpp"

#include <linux/perf_event.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/process.hpp"
#include "harness/platform/text.hpp"

namespace cromwell {
namespace fs = std::filesystem;

namespace {

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

int parse_int(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    const int v = std::stoi(text, &used, 0);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(fmt::format("{}: '{}' is not a number", what, text));
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  for (const std::string& part : split(text, ',')) {
    if (part.empty()) continue;
    const auto dash = part.find('-');
    const int lo = parse_int(part.substr(0, dash), "cpu list '" + text + "'");
    const int hi = dash == std::string::npos ? lo : parse_int(part.substr(dash + 1), "cpu list '" + text + "'");
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
  }
  return cpus;
}

std::uint64_t encode_with_format(const std::string& format_dir, const std::map<std::string, std::uint64_t>& fields) {
  std::uint64_t config = 0;
  for (const auto& [field, value] : fields) {
    const fs::path file = fs::path(format_dir) / field;
    const std::string spec = first_line(file);  // "config:0-7,32-35"
    if (spec.rfind("config:", 0) != 0)
      throw std::invalid_argument(
          fmt::format("{}: expected 'config:<bits>', found '{}'", file.string(), spec.empty() ? "nothing" : spec));
    std::uint64_t rest = value;
    for (const std::string& range : split(spec.substr(7), ',')) {
      const auto dash = range.find('-');
      const int lo = parse_int(range.substr(0, dash), file.string());
      const int hi = dash == std::string::npos ? lo : parse_int(range.substr(dash + 1), file.string());
      if (lo < 0 || hi > 63 || hi < lo)
        throw std::invalid_argument(fmt::format("{}: bad bit range '{}'", file.string(), range));
      const int width = hi - lo + 1;
      const std::uint64_t mask = width == 64 ? ~0ull : (1ull << width) - 1;
      config |= (rest & mask) << lo;
      rest = width == 64 ? 0 : rest >> width;
    }
    if (rest != 0)
      throw std::invalid_argument(fmt::format("{}: {} = 0x{:x} does not fit in {}", file.string(), field, value, spec));
  }
  return config;
}

const std::vector<std::string>& amd_l3_columns() {
  static const std::vector<std::string> c = {"l3_lookups_ccx", "l3_misses_ccx"};
  return c;
}

AmdL3Pmu discover_amd_l3(const std::string& pmu_table, PerfSysPtr sys) {
  AmdL3Pmu pmu;
  pmu.sys = std::move(sys);
  pmu.offered = pmu_table.rfind("zen", 0) == 0;
  if (!pmu.offered) return pmu;
  const fs::path sources = fs::path(pmu.sys->sysfs_root()) / "bus/event_source/devices";
  const fs::path dir = sources / "amd_l3";
  if (!fs::is_directory(dir)) {
    std::vector<std::string> present;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(sources, ec)) present.push_back(e.path().filename().string());
    std::sort(present.begin(), present.end());
    pmu.why_not = fmt::format("no amd_l3 PMU here (event sources: {})", present.empty() ? "none" : join(present, ", "));
    pmu.state = pmu.why_not;
    return pmu;
  }
  try {
    const auto type = static_cast<std::uint32_t>(parse_int(first_line(dir / "type"), (dir / "type").string()));
    pmu.cpus = parse_cpu_list(first_line(dir / "cpumask"));
    if (pmu.cpus.empty()) throw std::invalid_argument((dir / "cpumask").string() + ": no CPU");
    const std::string format = (dir / "format").string();
    pmu.events = {{"l3_lookups_ccx", type, encode_with_format(format, {{"event", 0x04}, {"umask", 0xff}}), 0},
                  {"l3_misses_ccx", type, encode_with_format(format, {{"event", 0x04}, {"umask", 0x01}}), 0}};
  } catch (const std::exception& e) {
    pmu.why_not = fmt::format("the amd_l3 PMU is present but not understood: {}", e.what());
    pmu.state = pmu.why_not;
    return pmu;
  }
  std::vector<std::string> cpus;
  for (int c : pmu.cpus) cpus.push_back(std::to_string(c));
  pmu.state = fmt::format("amd_l3 PMU: the whole L3 of {} CCX(s) (counted on CPUs {}), every core and process",
                          pmu.cpus.size(), join(cpus, ","));
  return pmu;
}

AmdL3Session::AmdL3Session(const AmdL3Pmu& pmu) : why_not_(pmu.why_not) {
  if (!pmu.offered || !why_not_.empty()) return;
  for (int cpu : pmu.cpus) {
    PerfGroup g;
    if (!g.open(pmu.events, {-1, cpu, false}, pmu.sys)) {
      const int err = g.error_errno();
      why_not_ = err == EACCES || err == EPERM
                     ? fmt::format(
                           "the amd_l3 PMU is present but counting a whole CCX is not permitted here ({}): sudo sysctl "
                           "kernel.perf_event_paranoid=0, or sudo setcap cap_perfmon+ep {}",
                           g.error(), self_exe())
                     : g.error();
      groups_.clear();
      return;
    }
    groups_.push_back(std::move(g));
  }
  totals_.assign(pmu.events.size(), 0.0);
}

void AmdL3Session::start() {
  for (auto& g : groups_) g.start();
}

void AmdL3Session::stop(std::size_t calls) {
  if (groups_.empty()) return;
  for (auto& g : groups_) g.stop();
  for (auto& g : groups_) {
    GroupReading r;
    if (!g.read(r) || r.running == 0) {
      read_failure_ = "the amd_l3 group never ran: not counted";
      continue;
    }
    for (std::size_t i = 0; i < totals_.size(); ++i) totals_[i] += *scale(r.values[i], r.enabled, r.running).value;
  }
  calls_ += calls;
}

std::vector<Metric> AmdL3Session::finish() const {
  std::vector<Metric> out;
  for (std::size_t i = 0; i < amd_l3_columns().size(); ++i) {
    Metric m{amd_l3_columns()[i], std::nullopt, ""};
    if (!why_not_.empty())
      m.reason = why_not_;
    else if (!read_failure_.empty())
      m.reason = read_failure_;
    else if (calls_ == 0)
      m.reason = "no timed loop ran";
    else
      m.value = totals_[i] / double(calls_);
    out.push_back(m);
  }
  return out;
}

}  // namespace cromwell
