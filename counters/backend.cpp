// Choosing a counter backend (--counters auto|perf|sim|sw|none).
#include <linux/perf_event.h>

#include "counters/backend.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "counters/hardware_probe.hpp"
#include "counters/perf_backend.hpp"

namespace cromwell {
namespace {

class NoCounters final : public CounterBackend {
 public:
  std::string source() const override { return "none"; }
  std::string scope() const override { return "no counters"; }
  std::vector<std::string> columns() const override { return {}; }
};

}  // namespace

const std::vector<std::string>& canonical_counter_columns() {
  static const std::vector<std::string> c = {
      "cycles", "instructions",  "l1d_misses",   "l2_misses",    "l3_accesses", "l3_misses", "dram_fills",
      "ipc",    "l1d_miss_rate", "l2_miss_rate", "l3_miss_rate", "l1d_mpki",    "l2_mpki",   "l3_mpki"};
  return c;
}

BackendChoice make_backend(const std::string& name, const CounterOptions& opt) {
  BackendChoice c;
  if (name == "none") {
    c.backend = std::make_unique<NoCounters>();
    return c;
  }
  if (name == "sim") {
    c.backend = make_sim_backend(opt);
    c.why = "counters: simulated caches (" + c.backend->scope() + ")";
    return c;
  }
  if (name == "sw") {
    c.backend = make_software_backend(system_perf_open());
    c.why = "counters: " + c.backend->scope();
    return c;
  }
  const Pmu pmu = this_pmu();
  if (name == "perf") {
    c.backend = make_perf_backend(pmu, opt.groups_dir, system_perf_open());
    const HardwareProbe p = probe_hardware(system_perf_open());
    c.why = p.counts ? "counters: hardware, " + pmu.description
                     : "counters: hardware requested, but " + p.why + " — hardware columns stay empty with this reason";
    return c;
  }
  if (name == "auto") {
    const HardwareProbe p = probe_hardware(system_perf_open());
    if (p.counts) {
      c.backend = make_perf_backend(pmu, opt.groups_dir, system_perf_open());
      c.why = "counters: hardware (" + pmu.description + "): instructions counted over a known loop";
      return c;
    }
    c.backend = make_software_backend(system_perf_open());
    c.why = fmt::format("counters: software only ({}), because hardware counters are unavailable: {}",
                        c.backend->source(), p.why);
    if (p.why.find("--counters sim") == std::string::npos) c.why += "; --counters sim gives simulated cache misses";
    return c;
  }
  throw std::invalid_argument(fmt::format("--counters {}: allowed auto|perf|sim|sw|none", name));
}

}  // namespace cromwell
