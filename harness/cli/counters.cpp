// cromwell counters [--validate]: what this machine can count and why not; with --validate, known-answer
// kernels mark each metric validated or suspicious here.
#include <linux/perf_event.h>

#include <algorithm>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "counters/amd_l3.hpp"
#include "counters/groups.hpp"
#include "counters/hardware_probe.hpp"
#include "counters/known.hpp"
#include "counters/perf_backend.hpp"
#include "counters/perf_events.hpp"
#include "counters/sim.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/pool.hpp"
#include "harness/run/child.hpp"

namespace cromwell::cli {
namespace {

// What a known-answer kernel must give, per access: a metric within [lo, hi], and why.
struct Expect {
  std::string kernel, metric;
  double lo, hi;
  std::string meaning;
};

std::string read_line(const char* path) {
  std::ifstream in(path);
  std::string s;
  return std::getline(in, s) ? s : "unreadable";
}

std::string paranoid_meaning(const std::string& level) {
  if (level == "-1") return "everything allowed";
  if (level == "0") return "no raw tracepoints for users; CPU-wide counting allowed";
  if (level == "1") return "users may count their own processes, user and kernel mode";
  if (level == "2") return "users may count their own processes in user mode (what Cromwell needs)";
  return "users may not count at all (Debian/Ubuntu patch): sudo sysctl kernel.perf_event_paranoid=2, or "
         "setcap cap_perfmon+ep on the binary";
}

int probe(std::FILE* out, const CounterOptions& opt) {
  const Pmu pmu = this_pmu();
  const bool watchdog = nmi_watchdog_on();
  const std::string paranoid = read_line("/proc/sys/kernel/perf_event_paranoid");
  fmt::print(out, "CPU            {}\n", pmu.description);
  fmt::print(out, "event tables   counters/groups/{}/ ({} general counters per CPU{})\n", pmu.name, pmu.gp_counters,
             pmu.fixed_cycles_instructions ? ", cycles and instructions on fixed counters" : "");
  fmt::print(out, "paranoid       kernel.perf_event_paranoid = {}: {}\n", paranoid, paranoid_meaning(paranoid));
  fmt::print(out, "NMI watchdog   {} → {} counters per group\n", watchdog ? "on (it holds one counter)" : "off",
             counter_budget(pmu, watchdog));

  const HardwareProbe hw = probe_hardware(system_perf());
  fmt::print(out, "\nHardware events (user mode, on this thread):\n");
  std::map<int, int> errnos;
  for (const auto& g : load_groups(pmu.name, opt.groups_dir))
    for (const auto& e : g.events) {
      std::string status;
      try {
        const EventCode code = encode_event(e.name, e.spec);
        PerfGroup pg;
        if (pg.open({code}, {}, system_perf())) {
          status = hw.counts ? "opens and counts" : "opens (but the probe saw no counting)";
        } else {
          ++errnos[pg.error_errno()];
          status = fmt::format("does not open: {}", std::strerror(pg.error_errno()));
        }
        status = fmt::format("config 0x{:x} — {}", code.config, status);
      } catch (const std::exception& ex) {
        status = fmt::format("does not encode: {}", ex.what());
      }
      fmt::print(out, "  {:<8} {:<14} {}\n", g.name, e.name, status);
    }
  for (const auto& [err, count] : errnos) fmt::print(out, "  → {}\n", perf_errno_advice(err));

  const AmdL3Pmu l3 = discover_amd_l3(pmu.name, system_perf());
  if (l3.offered) fmt::print(out, "\nL3 PMU (amd_l3, whole CCX): {}\n", l3.state);

  fmt::print(out, "\nSoftware events:\n");
  auto sw_backend = make_software_backend(system_perf());
  const bool sw_ok = sw_backend->source() == "sw";
  fmt::print(out, "  {}\n", sw_backend->scope());

  fmt::print(out, "\nIn plain words: ");
  if (hw.counts)
    fmt::print(out,
               "this machine counts hardware events; --counters auto (or perf) records cycles, instructions and "
               "cache misses per configuration.\n");
  else
    fmt::print(out,
               "no hardware counters here ({}).\n  --counters auto records software counters{}; "
               "--counters sim{} gives simulated L1D/L2/L3 misses (single-threaded configs).\n",
               hw.why, sw_ok ? "" : " (from getrusage)", have_valgrind() ? "" : " (needs valgrind: scripts/bootstrap)");
  return 0;
}

// What a known-answer kernel gave, judged against the expectations for it; the count of metrics
// that are suspicious or not counted.
int judge(std::FILE* out, const std::vector<Expect>& expect, const KnownKernel& k, const std::vector<Metric>& metrics) {
  fmt::print(out, "  {:<12} {}\n", k.name, k.what);
  int suspicious = 0;
  for (const auto& e : expect) {
    if (e.kernel != k.name) continue;
    const auto m = std::find_if(metrics.begin(), metrics.end(), [&](const Metric& x) { return x.name == e.metric; });
    if (m == metrics.end() || !m->value) {
      fmt::print(out, "    {:<14} not counted: {}\n", e.metric, m != metrics.end() ? m->reason : "no such metric here");
      ++suspicious;
      continue;
    }
    const double v = *m->value / double(k.accesses);
    const bool ok = v >= e.lo && v <= e.hi;
    fmt::print(out, "    {:<14} {:.4f} per access, expected {}–{}: {} ({})\n", e.metric, v, e.lo, e.hi,
               ok ? "validated" : "SUSPICIOUS", e.meaning);
    suspicious += !ok;
  }
  return suspicious;
}

// Hardware: each known kernel runs once per event pass in-process, counted on this thread.
int validate_hardware(std::FILE* out, const CounterOptions& opt, const AmdL3Pmu& l3) {
  CounterOptions perf = opt;
  perf.backend = "perf";
  auto backend = make_backend(perf, {}).backend;
  Pool pool(1, {});
  const CacheSizes& caches = machine_caches();
  const KnownSizes sizes{caches.l2, caches.l3};
  // The prefetch-inclusive columns may count a line twice on Zen 2–4 (an L1D miss merging with an
  // in-flight L2 prefetch, docs/metrics.md), and adjacent-line prefetchers add lines to a chase.
  // Intel's LONGEST_LAT_CACHE.MISS leaves out prefetches into L3 only: no lower bound there.
  const std::string& pmu = this_pmu().name;
  const bool zen5 = pmu == "zen5", intel = pmu == "skl" || pmu == "icl";
  const double stream_hi = zen5 || intel ? 1.2 : 2.0, stream_lo = intel ? 0.0 : 0.9;
  std::vector<Expect> expect = {
      {"chase_l1", "l1d_misses", 0.0, 0.01, "a 16 KiB working set stays in L1D"},
      {"chase_dram", "l3_misses_demand", 0.8, 1.2, "each step's load lands on a line last touched 8 × L3 ago"},
      {"chase_dram", "l3_misses", 0.8, 2.5, "and the prefetchers may bring a neighbour"},
      {"stream_read", "l3_misses", stream_lo, stream_hi, "one line from beyond L3 per line, whoever asked for it"},
      {"stream_read", "dram_fills", stream_lo, stream_hi, "one line from DRAM per line, demand or prefetched"},
      {"reread_l3", "l3_misses", 0.0, 0.05, "L3 / 2 read again stays in L3"},
      {"reread_l2", "l3_misses", 0.0, 0.05, "L2 / 2 read again stays in L2"},
  };
  if (l3.offered && l3.why_not.empty())  // whole CCX: other processes add to it (not verified on hardware)
    expect.push_back({"stream_read", "l3_misses_ccx", 0.9, 2.0, "the L3 sees one miss per line of the stream"});
  int suspicious = 0;
  fmt::print(out, "Validating hardware counters ({}) with known-answer kernels sized to L2 {} KiB, L3 {} MiB ({}):\n",
             backend->source(), sizes.l2 >> 10, sizes.l3 >> 20, caches.source);
  for (const auto& k : known_kernels(sizes)) {
    auto session = backend->open(pool);
    for (int p = 0; p < session->passes(); ++p)
      run_known(
          k.name, sizes, false, [](void* s) { static_cast<CounterSession*>(s)->start(); },
          [](void* s) { static_cast<CounterSession*>(s)->stop(1); }, session.get());
    suspicious += judge(out, expect, k, session->finish());
  }
  return suspicious;
}

// Simulated: each known kernel in a child under callgrind, sized to the model's caches.
int validate_sim(std::FILE* out, const CounterOptions& opt) {
  const CacheModel model = parse_cache_model(opt.cache_model);
  const KnownSizes sizes{model.l2.size, model.l3.size};
  const std::vector<Expect> expect = {
      {"chase_l1", "l1d_misses", 0.0, 0.01, "a 16 KiB working set stays in L1D"},
      {"chase_dram", "l3_misses", 0.8, 1.01, "each step lands on a line last touched 8 × L3 ago"},
      {"chase_dram", "l2_misses", 0.95, 1.01, "and misses L2"},
      {"stream_read", "l3_misses", 0.99, 1.01, "one line from beyond L3 per line: no prefetcher is simulated"},
      {"stream_read", "dram_fills", 0.99, 1.01, "one line from memory per line"},
      {"stream_read", "l1d_misses", 0.99, 1.01, "one L1D miss per line"},
      {"reread_l3", "l3_misses", 0.0, 0.01, "L3 / 2 read again stays in L3"},
      {"reread_l3", "l2_misses", 0.99, 1.01, "but not in L2"},
      {"reread_l2", "l2_misses", 0.0, 0.01, "L2 / 2 read again stays in L2"},
      {"reread_l2", "l3_misses", 0.0, 0.01, "and so misses no L3"},
  };
  MeasureOptions options;
  options.counters = opt;
  int suspicious = 0;
  fmt::print(out, "Validating the simulated backend ({}: L2 {} KiB, L3 {} KiB) with known-answer kernels:\n",
             model.name, model.l2.size >> 10, model.l3.size >> 10);
  for (const auto& k : known_kernels(sizes)) {
    ChildTask task;
    task.kind = ChildTask::Kind::known;
    task.target = k.name;
    const auto command = child_argv(task, options);
    const auto l2 = callgrind_pass(command, model, model.l2);
    const auto l3 = callgrind_pass(command, model, model.l3);
    const double l3_misses = l3.at("DLmr") + l3.at("DLmw");
    const std::vector<Metric> metrics = {{"l1d_misses", l2.at("D1mr") + l2.at("D1mw"), ""},
                                         {"l2_misses", l2.at("DLmr") + l2.at("DLmw"), ""},
                                         {"l3_misses", l3_misses, ""},
                                         {"dram_fills", l3_misses, ""}};
    suspicious += judge(out, expect, k, metrics);
  }
  return suspicious;
}

// Says which checks this machine can run, then runs those `backend` selects (auto: every one that
// can run).
int validate(std::FILE* out, const std::string& backend, const CounterOptions& opt) {
  if (backend != "auto" && backend != "perf" && backend != "sim")
    throw std::invalid_argument(fmt::format("--validate --counters {}: allowed auto, perf or sim", backend));
  const HardwareProbe hw = probe_hardware(system_perf());
  const AmdL3Pmu l3 = discover_amd_l3(this_pmu().name, system_perf());
  const bool sim_ok = have_valgrind();
  fmt::print(out, "Checks this machine can run:\n");
  fmt::print(out, "  {:<30} {}\n", "hardware known answers (perf)", hw.counts ? "yes" : "no: " + hw.why);
  if (l3.offered)
    fmt::print(out, "  {:<30} {}\n", "whole-CCX L3 counts (amd_l3)",
               !hw.counts           ? "no: hardware counters do not count here"
               : l3.why_not.empty() ? "yes, if permitted: " + l3.state
                                    : "no: " + l3.why_not);
  fmt::print(out, "  {:<30} {}\n\n", "simulated known answers (sim)",
             sim_ok ? "yes (valgrind, cache model " + opt.cache_model + ")"
                    : "no: valgrind is missing (scripts/bootstrap installs it)");
  if (backend == "perf" && !hw.counts) throw std::invalid_argument("--validate --counters perf: " + hw.why);
  if (backend == "sim" && !sim_ok) throw std::invalid_argument("--validate --counters sim needs valgrind");
  int suspicious = 0, ran = 0;
  if (hw.counts && backend != "sim") {
    suspicious += validate_hardware(out, opt, l3);
    ++ran;
  }
  if (sim_ok && backend != "perf") {
    suspicious += validate_sim(out, opt);
    ++ran;
  }
  if (ran == 0) throw std::invalid_argument("--validate: no check can run on this machine (see above)");
  fmt::print(out, "{}\n",
             suspicious ? fmt::format("{} metric(s) suspicious on this machine", suspicious)
                        : "every checked metric is validated on this machine");
  return suspicious ? 1 : 0;
}

}  // namespace

Command counters_command() {
  return {"counters", "what this machine can count, and why not", [](CLI::App& app) -> Action {
            struct Options {
              CounterGroup counters;
              bool validate = false;
            };
            auto o = std::make_shared<Options>();
            app.add_flag("--validate", o->validate,
                         "run known-answer kernels and mark each metric validated or suspicious");
            o->counters.add(app);
            return [o](const Invocation&) {
              const CounterOptions& c = o->counters.values;
              if (!o->validate) return probe(stdout, c);
              return validate(stdout, c.backend, c);
            };
          }};
}

}  // namespace cromwell::cli
