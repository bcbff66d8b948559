#include "counters/groups.hpp"

#include <dlfcn.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"

namespace cromwell {
namespace fs = std::filesystem;

Pmu pmu_for(const std::string& vendor, unsigned family, unsigned model) {
  const std::string where = fmt::format("family {:X}h model {:X}h", family, model);
  if (vendor == "AuthenticAMD") {
    if (family == 0x17 && model >= 0x30) return {"zen2", "AMD Zen 2 (" + where + ")", 6, false};
    if (family == 0x19 && (model <= 0x0f || (model >= 0x20 && model <= 0x5f)))
      return {"zen3", "AMD Zen 3 (" + where + ")", 6, false};
    if (family == 0x19) return {"zen4", "AMD Zen 4 (" + where + ")", 6, false};
    if (family == 0x1a) return {"zen5", "AMD Zen 5 (" + where + ")", 6, false};
  }
  if (vendor == "GenuineIntel" && family == 6) {
    for (unsigned m : {0x4eu, 0x5eu, 0x8eu, 0x9eu, 0xa5u, 0xa6u, 0x55u})
      if (model == m) return {"skl", "Intel Skylake family (" + where + ")", 4, true};
    for (unsigned m : {0x7du, 0x7eu, 0x6au, 0x6cu, 0xa7u})
      if (model == m) return {"icl", "Intel Ice Lake family (" + where + ")", 8, true};
  }
  return {"generic", vendor + " " + where + " (no table: the kernel's generic events)", 4, false};
}

Pmu this_pmu() {
  const CpuId c = cpu_id();
  return pmu_for(c.vendor, c.family, c.model);
}

bool nmi_watchdog_on() {
  std::ifstream in("/proc/sys/kernel/nmi_watchdog");
  int v = 0;
  return (in >> v) && v != 0;
}

int counter_budget(const Pmu& pmu, bool watchdog) {
  return pmu.gp_counters - (watchdog && !pmu.fixed_cycles_instructions ? 1 : 0);
}

int counters_needed(const Pmu& pmu, const std::vector<EventDef>& events, bool watchdog) {
  int n = 0;
  for (const auto& e : events) {
    // Intel: instructions always has a fixed counter; cycles only while the watchdog leaves it free.
    const bool fixed =
        pmu.fixed_cycles_instructions && (e.spec == "perf::INSTRUCTIONS" || (e.spec == "perf::CYCLES" && !watchdog));
    n += fixed ? 0 : 1;
  }
  return n;
}

namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

std::pair<std::uint64_t, std::uint64_t> raw_fields(const std::string& spec) {
  std::uint64_t event = 0, umask = 0;
  bool have_event = false;
  std::stringstream in(spec);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(fmt::format("raw event '{}': '{}' is not key=value", spec, part));
    const std::string key = trim(part.substr(0, eq)), value = trim(part.substr(eq + 1));
    std::size_t used = 0;
    std::uint64_t v = 0;
    try {
      v = std::stoull(value, &used, 0);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || value.empty())
      throw std::invalid_argument(fmt::format("raw event '{}': '{}' is not a number", spec, value));
    if (key == "event") {
      if (v > 0xfff) throw std::invalid_argument(fmt::format("raw event '{}': event above 0xfff", spec));
      event = v;
      have_event = true;
    } else if (key == "umask") {
      if (v > 0xff) throw std::invalid_argument(fmt::format("raw event '{}': umask above 0xff", spec));
      umask = v;
    } else {
      throw std::invalid_argument(fmt::format("raw event '{}': unknown field '{}' (allowed: event, umask)", spec, key));
    }
  }
  if (!have_event) throw std::invalid_argument(fmt::format("raw event '{}': no event=", spec));
  return {event, umask};
}

}  // namespace

bool is_raw(const std::string& spec) { return spec.rfind("event=", 0) == 0; }

std::uint64_t raw_config(const std::string& spec) {
  const auto [event, umask] = raw_fields(spec);
  return (event & 0xff) | ((event >> 8) << 32) | (umask << 8);
}

std::string builtin_groups_dir() {
  if (const char* env = std::getenv("CROMWELL_GROUPS_DIR")) return env;
  // Installed: <prefix>/lib/libcromwell.so → <prefix>/share/cromwell/groups.
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&builtin_groups_dir), &info) && info.dli_fname) {
    const fs::path installed = fs::path(info.dli_fname).parent_path().parent_path() / "share/cromwell/groups";
    if (fs::exists(installed)) return installed.string();
  }
  return std::string(CROMWELL_SOURCE_DIR) + "/counters/groups";
}

bool raw_event_known(const std::string& pmu, const std::string& spec) {
  const auto [event, umask] = raw_fields(spec);
  std::ifstream in(fs::path(builtin_groups_dir()).parent_path() / "raw_events.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string p, e, u;
    if (!(f >> p >> e >> u)) continue;
    if (p == pmu && std::stoull(e, nullptr, 0) == event && std::stoull(u, nullptr, 0) == umask) return true;
  }
  return false;
}

Group parse_group(const std::string& text, const std::string& pmu, const std::string& name, const std::string& file) {
  Group g;
  g.pmu = pmu;
  g.name = name;
  g.file = file;
  enum { none, events, metrics } section = none;
  std::istringstream in(text);
  std::string raw;
  int lineno = 0;
  auto fail = [&](const std::string& why) {
    return std::invalid_argument(fmt::format("{}:{}: {}", file, lineno, why));
  };
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    if (line.rfind("DESCRIPTION", 0) == 0) {
      g.description = trim(line.substr(11));
      continue;
    }
    if (line == "EVENTS") {
      section = events;
      continue;
    }
    if (line == "METRICS") {
      section = metrics;
      continue;
    }
    if (section == events) {
      std::istringstream f(line);
      EventDef e;
      e.line = lineno;
      if (!(f >> e.name >> e.spec)) throw fail("expected '<name> <event> [must-count]'");
      std::string extra;
      if (f >> extra) {
        if (extra != "must-count")
          throw fail(fmt::format("unexpected '{}' after the event (allowed: must-count)", extra));
        e.must_count = true;
        if (f >> extra) throw fail(fmt::format("unexpected '{}' after must-count", extra));
      }
      for (const auto& other : g.events)
        if (other.name == e.name) throw fail(fmt::format("event '{}' is defined twice", e.name));
      if (is_raw(e.spec)) {
        try {
          raw_config(e.spec);
        } catch (const std::invalid_argument& ex) {
          throw fail(ex.what());
        }
      }
      g.events.push_back(e);
    } else if (section == metrics) {
      const auto eq = line.find('=');
      if (eq == std::string::npos) throw fail("expected '<name> = <formula> | <scope>'");
      MetricDef m;
      m.line = lineno;
      m.name = trim(line.substr(0, eq));
      std::string rest = line.substr(eq + 1);
      const auto bar = rest.find('|');
      if (bar != std::string::npos) {
        m.scope = trim(rest.substr(bar + 1));
        rest = rest.substr(0, bar);
      }
      if (m.scope.empty()) throw fail(fmt::format("metric '{}' has no scope after '|'", m.name));
      try {
        m.formula = Formula::parse(trim(rest));
      } catch (const std::invalid_argument& ex) {
        throw fail(ex.what());
      }
      for (const auto& n : m.formula.names())
        if (std::none_of(g.events.begin(), g.events.end(), [&](const EventDef& e) { return e.name == n; }))
          throw fail(fmt::format("metric '{}' uses '{}', which is not an event of this group", m.name, n));
      g.metrics.push_back(std::move(m));
    } else {
      throw fail("expected DESCRIPTION, EVENTS or METRICS first");
    }
  }
  if (g.events.empty()) throw std::invalid_argument(fmt::format("{}: no EVENTS", file));
  return g;
}

std::vector<std::string> known_pmus() { return {"generic", "icl", "skl", "zen2", "zen3", "zen4", "zen5"}; }

std::vector<Group> load_groups(const std::string& pmu, const std::string& user_dir) {
  std::map<std::string, fs::path> files;
  for (const std::string& dir : {builtin_groups_dir(), user_dir}) {
    if (dir.empty()) continue;
    const fs::path d = fs::path(dir) / pmu;
    if (!fs::is_directory(d)) continue;
    for (const auto& entry : fs::directory_iterator(d))
      if (entry.path().extension() == ".txt") files[entry.path().stem().string()] = entry.path();
  }
  std::vector<Group> out;
  for (const auto& [name, path] : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(parse_group(text.str(), pmu, name, path.string()));
  }
  return out;
}

}  // namespace cromwell
