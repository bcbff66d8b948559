#include "harness/io/context.hpp"

#include <cblas.h>
#include <unistd.h>
#include <xmmintrin.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "counters/sim.hpp"
#include "harness/io/schema.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/topology.hpp"

#ifndef CROMWELL_VERSION
#define CROMWELL_VERSION "unknown"
#endif
#ifndef CROMWELL_GIT_COMMIT
#define CROMWELL_GIT_COMMIT ""
#endif
#ifndef CROMWELL_BUILD_TYPE
#define CROMWELL_BUILD_TYPE "unknown"
#endif
#ifndef CROMWELL_BUILD_FLAGS
#define CROMWELL_BUILD_FLAGS ""
#endif
#ifndef CROMWELL_SANITIZED
#define CROMWELL_SANITIZED 0
#endif

namespace cromwell {
namespace {

using Json = nlohmann::ordered_json;

std::string read_line(const char* path) {
  std::ifstream in(path);
  std::string s;
  if (!std::getline(in, s)) return "unavailable";
  return s;
}

// "always [madvise] never" → "madvise"
std::string bracketed(const std::string& s) {
  const auto a = s.find('['), b = s.find(']');
  return a != std::string::npos && b != std::string::npos && b > a ? s.substr(a + 1, b - a - 1) : s;
}

Json env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v ? Json(v) : Json(nullptr);
}

}  // namespace

nlohmann::ordered_json context_object(const ContextExtras& x) {
  Json j;
  j["schema_version"] = kSchemaVersion;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  j["host"] = host;
  const CpuId cpu = cpu_id();
  j["cpu"] = {{"vendor", cpu.vendor},
              {"family", cpu.family},
              {"model", cpu.model},
              {"stepping", cpu.stepping},
              {"name", cpu.brand}};
  Json isa = Json::array();
  for (const char* f : {"sse4.2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq",
                        "avx512vnni", "avx512bf16", "avxvnni", "prfchw"})
    if (cpu_has(f)) isa.push_back(f);
  j["isa"] = isa;
  const Topology& topo = machine_topology();
  Json cpus = Json::array();
  for (const auto& p : topo.pus)
    cpus.push_back({{"cpu", p.os_index}, {"core", p.core}, {"smt", p.smt}, {"l3", p.l3}, {"numa", p.numa}});
  j["topology"] = {{"summary", topo.describe()}, {"cpus", cpus}};
  j["memory_bytes"] = static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  const CacheSizes& c = machine_caches();
  j["caches"] = {{"l1d", c.l1d}, {"l2", c.l2}, {"l3", c.l3}, {"source", c.source}};
  if (!x.machine_profile.is_null()) j["machine_profile"] = x.machine_profile;
  j["governor"] = read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  j["boost"] = read_line("/sys/devices/system/cpu/cpufreq/boost");
  j["transparent_hugepages"] = bracketed(read_line("/sys/kernel/mm/transparent_hugepage/enabled"));
  const unsigned csr = _mm_getcsr();
  j["mxcsr"] = {{"ftz", bool((csr >> 15) & 1)}, {"daz", bool((csr >> 6) & 1)}};
  j["perf_event_paranoid"] = read_line("/proc/sys/kernel/perf_event_paranoid");
  j["nmi_watchdog"] = read_line("/proc/sys/kernel/nmi_watchdog");
  j["counters_backend"] = x.counters_backend;
  // What simulated counts depend on besides the code: the simulator's version (the CI gate's
  // fingerprint of deterministic metrics).
  if (x.counters_backend.rfind("sim", 0) == 0) j["valgrind"] = valgrind_version();
#if defined(__clang__)
  j["compiler"] = fmt::format("clang {}", __clang_version__);
#else
  j["compiler"] = fmt::format("gcc {}", __VERSION__);
#endif
  j["build_type"] = CROMWELL_BUILD_TYPE;
  j["build_flags"] = CROMWELL_BUILD_FLAGS;
  const bool trustworthy = !CROMWELL_SANITIZED && std::string(CROMWELL_BUILD_TYPE) == "Release";
  j["timings_trustworthy"] = trustworthy;
  if (!trustworthy)
    j["timings_caveat"] = "built as " + std::string(CROMWELL_BUILD_TYPE) +
                          (CROMWELL_SANITIZED ? " with sanitizers" : "") + ": timings are not representative";
  std::string ob_version = OPENBLAS_VERSION;
  ob_version.erase(0, ob_version.find_first_not_of(' '));
  ob_version.erase(ob_version.find_last_not_of(' ') + 1);
  j["openblas"] = {{"version", ob_version},
                   {"core", openblas_get_corename()},
                   {"config", openblas_get_config()},
                   {"threads", openblas_get_num_threads()}};
  j["environment"] = {{"OPENBLAS_CORETYPE", env_or_null("OPENBLAS_CORETYPE")},
                      {"OPENBLAS_NUM_THREADS", env_or_null("OPENBLAS_NUM_THREADS")},
                      {"OMP_NUM_THREADS", env_or_null("OMP_NUM_THREADS")}};
  j["cromwell"] = {{"version", CROMWELL_VERSION}, {"git_commit", CROMWELL_GIT_COMMIT}};
  j["cold_bytes"] = x.cold_bytes ? Json(x.cold_bytes) : Json(nullptr);
  j["command_line"] = x.command_line;
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  j["date"] = date;
  if (!x.sweep.is_null()) j["sweep"] = x.sweep;
  return j;
}

std::string context_json(const ContextExtras& x) { return dump_json(context_object(x)); }

std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write_json_file(const std::string& path, const nlohmann::ordered_json& j) {
  // Written beside and renamed over: a reader never sees half a context.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
    out << dump_json(j);
    if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  std::filesystem::rename(tmp, path);
}

void write_context(const std::string& path, const ContextExtras& extras) {
  write_json_file(path, context_object(extras));
}

}  // namespace cromwell
