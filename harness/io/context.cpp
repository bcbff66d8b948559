#include "harness/io/context.hpp"

#include <cblas.h>
#include <unistd.h>
#include <xmmintrin.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "harness/io/json.hpp"
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

std::string env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v ? json_string(v) : "null";
}

}  // namespace

std::string context_json(const ContextExtras& x) {
  std::string j = "{\n";
  auto field = [&](const char* name, const std::string& value_json) {
    j += fmt::format("  {}: {},\n", json_string(name), value_json);
  };
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  field("host", json_string(host));
  const CpuId cpu = cpu_id();
  field("cpu", fmt::format("{{\"vendor\": {}, \"family\": {}, \"model\": {}, \"stepping\": {}, \"name\": {}}}",
                           json_string(cpu.vendor), cpu.family, cpu.model, cpu.stepping, json_string(cpu.brand)));
  std::string isa;
  for (const char* f : {"sse4.2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512dq"})
    if (cpu_has(f)) isa += (isa.empty() ? "" : ", ") + json_string(f);
  field("isa", "[" + isa + "]");
  const Topology& topo = machine_topology();
  std::string cpus;
  for (const auto& p : topo.pus)
    cpus += fmt::format("{}{{\"cpu\": {}, \"core\": {}, \"smt\": {}, \"l3\": {}, \"numa\": {}}}",
                        cpus.empty() ? "" : ", ", p.os_index, p.core, p.smt, p.l3, p.numa);
  field("topology", fmt::format("{{\"summary\": {}, \"cpus\": [{}]}}", json_string(topo.describe()), cpus));
  const CacheSizes& c = machine_caches();
  field("caches", fmt::format("{{\"l1d\": {}, \"l2\": {}, \"l3\": {}, \"source\": {}}}", c.l1d, c.l2, c.l3,
                              json_string(c.source)));
  field("governor", json_string(read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
  field("boost", json_string(read_line("/sys/devices/system/cpu/cpufreq/boost")));
  field("transparent_hugepages", json_string(bracketed(read_line("/sys/kernel/mm/transparent_hugepage/enabled"))));
  const unsigned csr = _mm_getcsr();
  field("mxcsr", fmt::format("{{\"ftz\": {}, \"daz\": {}}}", (csr >> 15) & 1 ? "true" : "false",
                             (csr >> 6) & 1 ? "true" : "false"));
  field("perf_event_paranoid", json_string(read_line("/proc/sys/kernel/perf_event_paranoid")));
  field("nmi_watchdog", json_string(read_line("/proc/sys/kernel/nmi_watchdog")));
  field("counters_backend", json_string(x.counters_backend));
#if defined(__clang__)
  const std::string compiler = fmt::format("clang {}", __clang_version__);
#else
  const std::string compiler = fmt::format("gcc {}", __VERSION__);
#endif
  field("compiler", json_string(compiler));
  field("build_type", json_string(CROMWELL_BUILD_TYPE));
  field("build_flags", json_string(CROMWELL_BUILD_FLAGS));
  const bool trustworthy = !CROMWELL_SANITIZED && std::string(CROMWELL_BUILD_TYPE) == "Release";
  field("timings_trustworthy", trustworthy ? "true" : "false");
  if (!trustworthy)
    field("timings_caveat",
          json_string("built as " + std::string(CROMWELL_BUILD_TYPE) + (CROMWELL_SANITIZED ? " with sanitizers" : "") +
                      ": timings are not representative"));
  std::string ob_version = OPENBLAS_VERSION;
  ob_version.erase(0, ob_version.find_first_not_of(' '));
  ob_version.erase(ob_version.find_last_not_of(' ') + 1);
  field("openblas", fmt::format("{{\"version\": {}, \"core\": {}, \"config\": {}, \"threads\": {}}}",
                                json_string(ob_version), json_string(openblas_get_corename()),
                                json_string(openblas_get_config()), openblas_get_num_threads()));
  field("environment",
        fmt::format("{{\"OPENBLAS_CORETYPE\": {}, \"OPENBLAS_NUM_THREADS\": {}, \"OMP_NUM_THREADS\": {}}}",
                    env_or_null("OPENBLAS_CORETYPE"), env_or_null("OPENBLAS_NUM_THREADS"),
                    env_or_null("OMP_NUM_THREADS")));
  field("cromwell", fmt::format("{{\"version\": {}, \"git_commit\": {}}}", json_string(CROMWELL_VERSION),
                                json_string(CROMWELL_GIT_COMMIT)));
  field("cold_bytes", x.cold_bytes.empty() ? "null" : x.cold_bytes);
  field("command_line", json_string(x.command_line));
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  j += fmt::format("  \"date\": {}\n}}\n", json_string(date));
  return j;
}

void write_context(const std::string& path, const ContextExtras& extras) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  out << context_json(extras);
}

}  // namespace cromwell
