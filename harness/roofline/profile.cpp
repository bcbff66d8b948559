#include "harness/roofline/profile.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/context.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/text.hpp"
#include "harness/platform/topology.hpp"

namespace cromwell {
namespace {

nlohmann::ordered_json ceiling_json(const Ceiling& c) {
  return {{"best", c.best}, {"median", c.median}, {"min", c.min}, {"trials", c.trials}};
}

Ceiling ceiling_from(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("best") || !j["best"].is_number())
    throw std::invalid_argument(fmt::format("{}: a ceiling needs a number \"best\"", where));
  return {j["best"].get<double>(), j.value("median", j["best"].get<double>()), j.value("min", j["best"].get<double>()),
          j.value("trials", 0)};
}

// {"1": {...}, "2": {...}}: a thread count → ceiling, with the best value alone under `flat`.
void by_threads(const std::map<int, Ceiling>& m, nlohmann::ordered_json& detail, nlohmann::ordered_json& flat) {
  for (const auto& [t, c] : m) {
    detail[std::to_string(t)] = ceiling_json(c);
    flat[std::to_string(t)] = c.best;
  }
}

std::map<int, Ceiling> threads_from(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(fmt::format("{}: expected an object of thread counts", where));
  std::map<int, Ceiling> out;
  for (const auto& [k, v] : j.items()) {
    int t = 0;
    try {
      t = std::stoi(k);
    } catch (const std::exception&) {
      throw std::invalid_argument(fmt::format("{}: '{}' is not a thread count", where, k));
    }
    out[t] = v.is_number() ? Ceiling{v.get<double>(), v.get<double>(), v.get<double>(), 0}
                           : ceiling_from(v, where + "." + k);
  }
  return out;
}

std::optional<MachineProfile>& cached() {
  static std::optional<MachineProfile> p;
  return p;
}
bool& loaded() {
  static bool l = false;
  return l;
}
std::string& problem() {
  static std::string why;
  return why;
}

}  // namespace

const std::vector<std::string>& memory_levels() {
  static const std::vector<std::string> l{"L1", "L2", "L3", "DRAM"};
  return l;
}

const std::vector<std::string>& peak_isas() {
  static const std::vector<std::string> i{"baseline", "avx2", "avx512"};
  return i;
}

nlohmann::ordered_json to_json(const MachineProfile& p) {
  nlohmann::ordered_json j;
  j["fingerprint"] = p.fingerprint;
  j["host"] = p.host;
  j["cpu"] = p.cpu;
  j["date"] = p.date;
  j["threads_all"] = p.threads_all;
  j["pin"] = p.pin;
  j["clock_ghz"] = ceiling_json(p.clock_ghz);
  j["caches"] = nlohmann::ordered_json::array();
  for (const auto& l : p.levels) j["caches"].push_back({{"level", l.name}, {"bytes", l.bytes}, {"how", l.how}});
  j["notes"] = p.notes;
  // What the plots and the row bounds read: the best of each ceiling.
  nlohmann::ordered_json peaks = nlohmann::ordered_json::object(), peaks_detail = nlohmann::ordered_json::object();
  for (const auto& [isa, m] : p.peaks) by_threads(m, peaks_detail[isa], peaks[isa]);
  j["peaks_gflops"] = peaks;
  // The roofline's diagonal of a level: the best operation of the widest ISA measured there.
  nlohmann::ordered_json bw = nlohmann::ordered_json::object();
  for (const auto& level : memory_levels())
    for (const auto& [isa, ops] : p.bandwidth)
      for (const auto& [op, levels] : ops)
        if (const auto it = levels.find(level); it != levels.end())
          for (const auto& [t, c] : it->second) {
            auto& v = bw[level][std::to_string(t)];
            if (v.is_null() || v.get<double>() < c.best) v = c.best;
          }
  j["bandwidth_gbps"] = bw;
  nlohmann::ordered_json detail;
  detail["peaks_gflops"] = peaks_detail;
  for (const auto& [isa, ops] : p.bandwidth)
    for (const auto& [op, levels] : ops)
      for (const auto& [level, m] : levels) {
        nlohmann::ordered_json flat;
        by_threads(m, detail["bandwidth_gbps"][isa][op][level], flat);
      }
  j["trials"] = detail;
  j["curve"] = nlohmann::ordered_json::array();
  for (const auto& [bytes, gbps] : p.curve) j["curve"].push_back({bytes, gbps});
  return j;
}

MachineProfile profile_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(fmt::format("{}: a machine profile is a JSON object", where));
  MachineProfile p;
  p.fingerprint = j.value("fingerprint", "");
  p.host = j.value("host", "");
  p.cpu = j.value("cpu", "");
  p.date = j.value("date", "");
  p.threads_all = j.value("threads_all", 1);
  p.pin = j.value("pin", "");
  if (j.contains("clock_ghz")) p.clock_ghz = ceiling_from(j["clock_ghz"], where + ": clock_ghz");
  if (j.contains("caches"))
    for (const auto& c : j["caches"])
      p.levels.push_back({c.value("level", ""), c.value("bytes", 0LL), c.value("how", "")});
  if (j.contains("notes")) p.notes = j["notes"].get<std::vector<std::string>>();
  if (!j.contains("peaks_gflops") || !j.contains("bandwidth_gbps"))
    throw std::invalid_argument(fmt::format("{}: a machine profile needs peaks_gflops and bandwidth_gbps", where));
  const nlohmann::json* detail = j.contains("trials") ? &j["trials"] : nullptr;
  for (const auto& [isa, m] : j["peaks_gflops"].items())
    p.peaks[isa] = threads_from(detail && detail->contains("peaks_gflops") && (*detail)["peaks_gflops"].contains(isa)
                                    ? (*detail)["peaks_gflops"][isa]
                                    : m,
                                where + ": peaks_gflops." + isa);
  if (detail && detail->contains("bandwidth_gbps")) {
    for (const auto& [isa, ops] : (*detail)["bandwidth_gbps"].items())
      for (const auto& [op, levels] : ops.items())
        for (const auto& [level, m] : levels.items())
          p.bandwidth[isa][op][level] = threads_from(m, fmt::format("{}: trials.{}.{}.{}", where, isa, op, level));
  } else {
    // A profile written by hand (docs/plots.md): one bandwidth per level, of no particular ISA.
    for (const auto& [level, m] : j["bandwidth_gbps"].items())
      p.bandwidth["any"]["read"][level] = threads_from(m, where + ": bandwidth_gbps." + level);
  }
  if (j.contains("curve"))
    for (const auto& pt : j["curve"]) p.curve.emplace_back(pt.at(0).get<std::int64_t>(), pt.at(1).get<double>());
  return p;
}

Fingerprint machine_fingerprint() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const CpuId cpu = cpu_id();
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const long gib = pages > 0 && page > 0 ? (pages * page + (1L << 29)) >> 30 : 0;
  Fingerprint f;
  f.facts = fmt::format("{} | {} {} family {} model {} stepping {} | {} CPUs | {} GiB", host, cpu.vendor, cpu.brand,
                        cpu.family, cpu.model, cpu.stepping, machine_topology().pus.size(), gib);
  Fnv h;
  h.add(f.facts);
  f.hash = fmt::format("{:016x}", h.h);
  return f;
}

std::string profile_path() {
  if (const char* p = std::getenv("CROMWELL_PROFILE"); p && *p) return p;
  std::string dir;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    dir = x;
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = std::string(home) + "/.cache";
  else
    dir = "/tmp";
  return fmt::format("{}/cromwell/machine-{}.json", dir, machine_fingerprint().hash);
}

const std::optional<MachineProfile>& machine_profile() {
  if (!loaded()) {
    loaded() = true;
    problem().clear();
    const std::string path = profile_path();
    std::ifstream in(path);
    if (!in) {
      problem() = fmt::format("no machine profile ({}): `cromwell roofline` measures one", path);
      return cached();
    }
    try {
      cached() = profile_from_json(nlohmann::json::parse(in), path);
    } catch (const std::exception& e) {
      problem() = fmt::format(
          "the machine profile {} cannot be read ({}); `cromwell roofline --refresh` writes a new one", path, e.what());
    }
  }
  return cached();
}

const std::string& machine_profile_problem() {
  machine_profile();
  return problem();
}

void apply_profile_caches() {
  const auto& p = machine_profile();
  if (!p) return;
  CacheSizes measured;
  for (const auto& l : p->levels)
    (l.name == "L1" ? measured.l1d : l.name == "L2" ? measured.l2 : measured.l3) = l.bytes;
  measured.source = fmt::format("measured {}", p->date.substr(0, 10));
  set_measured_caches(measured);
}

nlohmann::ordered_json profile_context() {
  const auto& p = machine_profile();
  nlohmann::ordered_json j;
  j["path"] = profile_path();
  if (!p) {
    j["missing"] = machine_profile_problem();
    return j;
  }
  const nlohmann::ordered_json whole = to_json(*p);
  for (const auto& [k, v] : whole.items()) j[k] = v;
  return j;
}

void save_profile(const MachineProfile& p, const std::string& path) {
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  write_json_file(path, to_json(p));
}

void reset_machine_profile() {
  loaded() = false;
  cached().reset();
}

}  // namespace cromwell
