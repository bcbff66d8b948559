// cromwell counters [--validate]: what this machine can count and why not; with --validate, known-answer
// kernels mark each metric validated or suspicious here.
#include <linux/perf_event.h>

#include <fstream>
#include <map>

#include <fmt/format.h>

#include "counters/groups.hpp"
#include "counters/hardware_probe.hpp"
#include "counters/known.hpp"
#include "counters/perf_backend.hpp"
#include "counters/perf_events.hpp"
#include "counters/sim.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
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

  const HardwareProbe hw = probe_hardware(system_perf_open());
  fmt::print(out, "\nHardware events (user mode, on this thread):\n");
  std::map<int, int> errnos;
  for (const auto& g : load_groups(pmu.name, opt.groups_dir))
    for (const auto& e : g.events) {
      std::string status;
      try {
        const EventCode code = encode_event(e.name, e.spec);
        PerfGroup pg;
        if (pg.open({code}, 0, system_perf_open())) {
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

  fmt::print(out, "\nSoftware events:\n");
  PerfGroup sw;
  const bool sw_ok = sw.open({{"task_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0}}, 0, system_perf_open());
  fmt::print(out, "  task-clock, page-faults, context-switches: {}\n",
             sw_ok ? "open" : "refused (" + sw.error() + ") → getrusage(RUSAGE_THREAD) fallback");

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

// Hardware: each known kernel runs once per event pass in-process, counted on this thread.
int validate_hardware(std::FILE* out, const CounterOptions& opt) {
  const HardwareProbe hw = probe_hardware(system_perf_open());
  if (!hw.counts) throw std::invalid_argument(fmt::format("--validate --counters perf: {}", hw.why));
  CounterOptions perf = opt;
  perf.backend = "perf";
  auto backend = make_backend(perf, {}).backend;
  Pool pool(1, {});
  const std::vector<Expect> expect = {
      {"chase_l1", "l1d_misses", 0.0, 0.01, "a 16 KiB working set stays in L1D"},
      {"chase_dram", "l3_misses", 0.8, 1.2, "each step lands on a line last touched 256 MiB ago"},
      {"stream_read", "dram_fills", 0.9, 1.2, "one fill from DRAM per line, demand or prefetched"},
      {"reread_16m", "l3_misses", 0.0, 0.05, "a 16 MiB buffer read again stays in a 32 MiB L3"},
  };
  int suspicious = 0;
  fmt::print(out, "Validating hardware counters ({}) with known-answer kernels:\n", backend->source());
  for (const auto& k : known_kernels()) {
    auto session = backend->open(pool);
    for (int p = 0; p < session->passes(); ++p)
      run_known(
          k.name, false, [](void* s) { static_cast<CounterSession*>(s)->start(); },
          [](void* s) { static_cast<CounterSession*>(s)->stop(1); }, session.get());
    const auto metrics = session->finish();
    fmt::print(out, "  {:<12} {}\n", k.name, k.what);
    for (const auto& e : expect) {
      if (e.kernel != k.name) continue;
      const Metric* m = nullptr;
      for (const auto& x : metrics)
        if (x.name == e.metric) m = &x;
      if (!m || !m->value) {
        ++suspicious;
        fmt::print(out, "    {:<11} not counted: {}\n", e.metric, m ? m->reason : "no such metric here");
        continue;
      }
      const double v = *m->value / double(k.accesses);
      const bool ok = v >= e.lo && v <= e.hi;
      suspicious += !ok;
      fmt::print(out, "    {:<11} {:.4f} per access, expected {}–{}: {} ({})\n", e.metric, v, e.lo, e.hi,
                 ok ? "validated" : "SUSPICIOUS", e.meaning);
    }
  }
  return suspicious;
}

int validate(std::FILE* out, const std::string& backend, const CounterOptions& opt) {
  if (backend == "perf") {
    const int suspicious = validate_hardware(out, opt);
    fmt::print(out, "{}\n",
               suspicious ? fmt::format("{} metric(s) suspicious on this machine", suspicious)
                          : "every checked metric is validated on this machine");
    return suspicious ? 1 : 0;
  }
  if (backend != "sim")
    throw std::invalid_argument(fmt::format("--validate --counters {}: allowed sim or perf", backend));
  const CacheModel model = parse_cache_model(opt.cache_model);
  if (!have_valgrind()) throw std::invalid_argument("--validate needs valgrind (scripts/bootstrap installs it)");
  // Per access of each known kernel.
  const std::vector<Expect> expect = {
      {"chase_l1", "l1d_misses", 0.0, 0.01, "a 16 KiB working set stays in L1D"},
      {"chase_dram", "l3_misses", 0.8, 1.01, "each step lands on a line last touched 256 MiB ago"},
      {"chase_dram", "l2_misses", 0.95, 1.01, "and miss L2"},
      {"stream_read", "l3_misses", 0.99, 1.01, "one L3 miss per line of a stream (no prefetcher simulated)"},
      {"stream_read", "l1d_misses", 0.99, 1.01, "one L1D miss per line"},
      {"reread_16m", "l3_misses", 0.0, 0.01, "a 16 MiB buffer read again stays in a 32 MiB L3"},
      {"reread_16m", "l2_misses", 0.99, 1.01, "but not in L2"},
  };
  int suspicious = 0;
  fmt::print(out, "Validating the simulated backend ({}) with known-answer kernels:\n", model.name);
  for (const auto& k : known_kernels()) {
    ChildTask task;
    task.kind = ChildTask::Kind::known;
    task.target = k.name;
    const auto command = child_argv(task, MeasureOptions{});
    const auto l2 = callgrind_pass(command, model, model.l2);
    const auto l3 = callgrind_pass(command, model, model.l3);
    const double n = double(k.accesses);
    const std::map<std::string, double> per_access = {{"l1d_misses", (l2.at("D1mr") + l2.at("D1mw")) / n},
                                                      {"l2_misses", (l2.at("DLmr") + l2.at("DLmw")) / n},
                                                      {"l3_misses", (l3.at("DLmr") + l3.at("DLmw")) / n}};
    fmt::print(out, "  {:<12} {}\n", k.name, k.what);
    for (const auto& e : expect) {
      if (e.kernel != k.name) continue;
      const double v = per_access.at(e.metric);
      const bool ok = v >= e.lo && v <= e.hi;
      suspicious += !ok;
      fmt::print(out, "    {:<11} {:.4f} per access, expected {}–{}: {} ({})\n", e.metric, v, e.lo, e.hi,
                 ok ? "validated" : "SUSPICIOUS", e.meaning);
    }
  }
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
              // auto: hardware where it counts, else the simulator.
              std::string which = c.backend;
              if (which == "auto") which = probe_hardware(system_perf_open()).counts ? "perf" : "sim";
              return validate(stdout, which, c);
            };
          }};
}

}  // namespace cromwell::cli
