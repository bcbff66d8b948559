// cromwell list kernels|variants|params|metrics|events|columns|backends: what this program knows.
#include <algorithm>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "counters/backend.hpp"
#include "counters/groups.hpp"
#include "counters/perf_events.hpp"
#include "harness/cli/command.hpp"
#include "harness/core/registry.hpp"
#include "harness/io/schema.hpp"
#include "harness/platform/text.hpp"

namespace cromwell::cli {
namespace {

void list_kernels() {
  std::size_t width = 0;
  for (const auto& k : Registry::get().kernels()) width = std::max(width, k.name.size());
  for (const auto& k : Registry::get().kernels())
    fmt::print("{:<{}} dims {:<28} {}\n", k.name, width, join(k.dims, ","), k.summary);
}

void list_variants() {
  const auto isa = [](const VariantEntry& v) { return v.isa.empty() ? std::string("baseline") : join(v.isa, "+"); };
  std::size_t id_width = 0, isa_width = 0;  // columns as wide as their widest entry
  for (const auto& v : Registry::get().variants()) {
    id_width = std::max(id_width, v.id().size());
    isa_width = std::max(isa_width, isa(v).size());
  }
  for (const auto& v : Registry::get().variants()) {
    const auto missing = missing_isa(v.isa);
    fmt::print("{:<{}} {:<{}} {}{}\n", v.id(), id_width, isa(v), isa_width, v.summary,
               missing.empty() ? "" : fmt::format("  [unsupported here: no {}]", missing));
  }
}

void list_params() {
  for (const auto& v : Registry::get().variants()) {
    if (v.space.params.empty()) continue;
    fmt::print("{}\n", v.id());
    for (const auto& p : v.space.params)
      fmt::print("  {:<9} default {:<6} sweep {:<22} valid {:<16} {}{}\n", p.name, p.fallback, join(p.sweep, ","),
                 p.allowed(), p.help, p.unit.empty() ? "" : fmt::format(" [{}]", p.unit));
    for (const auto& c : v.space.constraints)
      fmt::print("  constraint {} ({})\n", c.name,
                 c.kind == Constraint::Kind::validity ? "validity: rejects" : "heuristic: prunes");
  }
}

void list_metrics(const std::string& groups_dir) {
  const Pmu pmu = this_pmu();
  const auto groups = load_groups(pmu.name, groups_dir);
  std::size_t width = 0;
  for (const auto& g : groups)
    for (const auto& m : g.metrics) width = std::max(width, m.name.size());
  fmt::print("Metrics of this CPU's tables ({}), per group: name = formula | scope\n", pmu.name);
  for (const auto& g : groups) {
    fmt::print("{} — {}\n", g.name, g.description);
    for (const auto& m : g.metrics) fmt::print("  {:<{}} = {:<50} | {}\n", m.name, width, m.formula.text(), m.scope);
  }
  if (pmu.name.rfind("zen", 0) == 0)
    fmt::print(
        "amd_l3 (uncore, where present and permitted) — the whole L3 of each CCX, every core and process, summed\n"
        "  l3_lookups_ccx = event 0x04 umask 0xFF; l3_misses_ccx = event 0x04 umask 0x01\n");
  fmt::print(
      "sim (callgrind, two passes) — per call; no prefetcher, so every miss is a fill: lines from beyond the level\n"
      "  l1d_misses = D1mr + D1mw; l2_misses = l3_accesses = DLmr + DLmw with LL = L2;\n"
      "  l3_misses = dram_fills = DLmr + DLmw with LL = L3; l1d_miss_rate = l1d_misses / (Dr + Dw);\n"
      "  l2_miss_rate = l2_misses / l1d_misses; l3_miss_rate = l3_misses / l2_misses; *_mpki = 1000·misses / Ir\n"
      "sw — task_clock_ns, page_faults, context_switches, cpu_migrations per call, summed over threads\n");
}

void list_events(const std::string& groups_dir) {
  const Pmu pmu = this_pmu();
  fmt::print("Events of this CPU's tables ({}):\n", pmu.name);
  for (const auto& g : load_groups(pmu.name, groups_dir))
    for (const auto& e : g.events) {
      std::string enc;
      try {
        const EventCode c = encode_event(e.name, e.spec);
        enc = fmt::format("type {} config 0x{:x}", c.type, c.config);
      } catch (const std::exception& ex) {
        enc = ex.what();
      }
      fmt::print("  {:<6} {:<16} {:<60} {}\n", g.name, e.name, e.spec, enc);
    }
}

void list_backends() {
  for (const auto& b : backends()) fmt::print("{:<6} {}\n", b.name, b.help);
}

}  // namespace

Command list_command() {
  return {"list", "list kernels, variants, params, metrics, events, columns or counter backends",
          [](CLI::App& app) -> Action {
            struct Options {
              std::string what = "variants", groups_dir;
            };
            auto o = std::make_shared<Options>();
            app.add_option("what", o->what, "kernels|variants|params|metrics|events|columns|backends")
                ->capture_default_str();
            app.add_option("--groups", o->groups_dir, "directory of event group files");
            return [o](const Invocation&) {
              if (o->what == "kernels")
                list_kernels();
              else if (o->what == "variants")
                list_variants();
              else if (o->what == "params")
                list_params();
              else if (o->what == "metrics")
                list_metrics(o->groups_dir);
              else if (o->what == "events")
                list_events(o->groups_dir);
              else if (o->what == "columns")
                fmt::print("{}", schema_table());
              else if (o->what == "backends")
                list_backends();
              else
                throw std::invalid_argument(
                    fmt::format("list {}: allowed kernels|variants|params|metrics|events|columns|backends", o->what));
              return 0;
            };
          }};
}

}  // namespace cromwell::cli
