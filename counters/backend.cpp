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

const std::vector<BackendEntry>& backends() {
  static const std::vector<BackendEntry> all = {
      {"auto", "hardware counters where they count, else software counters",
       [](const CounterOptions& opt, const ChildCommand&) {
         BackendChoice c;
         const HardwareProbe p = probe_hardware(system_perf());
         if (p.counts) {
           const Pmu pmu = this_pmu();
           c.backend = make_perf_backend(pmu, opt.groups_dir, system_perf());
           c.why = "counters: hardware (" + pmu.description + "): instructions counted over a known loop";
           return c;
         }
         c.backend = make_software_backend(system_perf());
         c.why = fmt::format("counters: software only ({}), because hardware counters are unavailable: {}",
                             c.backend->source(), p.why);
         if (p.why.find("--counters sim") == std::string::npos)
           c.why += "; --counters sim gives simulated cache misses";
         return c;
       }},
      {"perf", "hardware events of this CPU's group files (libpfm4 + perf_event_open)",
       [](const CounterOptions& opt, const ChildCommand&) {
         // Asked for by name: where instructions do not count, refuse rather than print a table of
         // empty columns (auto falls back instead).
         const HardwareProbe p = probe_hardware(system_perf());
         if (!p.counts)
           throw std::invalid_argument(
               "--counters perf: hardware counters do not count here: " + p.why +
               " (--counters auto falls back to software counters; --counters sim simulates the caches)");
         BackendChoice c;
         const Pmu pmu = this_pmu();
         c.backend = make_perf_backend(pmu, opt.groups_dir, system_perf());
         c.why = "counters: hardware, " + pmu.description;
         return c;
       }},
      {"sim", "simulated L1D/L2/L3 misses (callgrind, one thread)",
       [](const CounterOptions& opt, const ChildCommand& child) {
         BackendChoice c;
         c.backend = make_sim_backend(opt, child);
         c.why = "counters: simulated caches (" + c.backend->scope() + ")";
         return c;
       }},
      {"sw", "software events (task clock, page faults, context switches, migrations)",
       [](const CounterOptions&, const ChildCommand&) {
         BackendChoice c;
         c.backend = make_software_backend(system_perf());
         c.why = "counters: " + c.backend->scope();
         return c;
       }},
      {"none", "no counters",
       [](const CounterOptions&, const ChildCommand&) {
         return BackendChoice{std::make_unique<NoCounters>(), ""};
       }},
  };
  return all;
}

BackendChoice make_backend(const CounterOptions& opt, const ChildCommand& child) {
  std::string names;
  for (const auto& b : backends()) {
    if (b.name == opt.backend) return b.make(opt, child);
    names += (names.empty() ? "" : "|") + b.name;
  }
  throw std::invalid_argument(fmt::format("--counters {}: allowed {}", opt.backend, names));
}

}  // namespace cromwell
