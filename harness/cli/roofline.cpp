// cromwell roofline [--refresh] [--trials N] [--trial-time S]: this machine's ceilings — fp32 peak
// per ISA, bandwidth per level and operation, the cache sizes on the bandwidth curve, the effective
// clock — measured once and kept as the machine profile (roofline/profile.hpp), which sweeps
// record in their context and use for the rows' pct_peak and bound.
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/report/table.hpp"
#include "harness/roofline/ceilings.hpp"
#include "harness/roofline/levels.hpp"
#include "harness/roofline/profile.hpp"

namespace cromwell::cli {
namespace {

struct RooflineCliOptions {
  bool refresh = false;
  int trials = 5;
  double trial_time = 0.05;
};

std::string spread(const Ceiling& c, const char* spec) {
  return fmt::format("{} ({}–{})", fmt::format(fmt::runtime(spec), c.median), fmt::format(fmt::runtime(spec), c.min),
                     fmt::format(fmt::runtime(spec), c.best));
}

void print_profile(const MachineProfile& p) {
  fmt::print("{} · {} · {} · {} CPU(s), pinned {}\n\n", p.host, p.cpu, p.date, p.threads_all, p.pin);
  fmt::print("effective clock: {:.2f} GHz (median {:.2f}, min {:.2f}, {} trials)\n\n", p.clock_ghz.best,
             p.clock_ghz.median, p.clock_ghz.min, p.clock_ghz.trials);
  Table peaks{{"fp32 peak", "threads", "GFLOP/s (best)", "median (min–max)", "flops/cycle"}, {0, 1, 1, 1, 1}, {}};
  for (const auto& isa : peak_isas())
    if (const auto it = p.peaks.find(isa); it != p.peaks.end())
      for (const auto& [t, c] : it->second)
        peaks.rows.push_back({isa, std::to_string(t), fmt::format("{:.1f}", c.best), spread(c, "{:.1f}"),
                              p.clock_ghz.best > 0 ? fmt::format("{:.1f}", c.median / t / p.clock_ghz.median) : "—"});
  fmt::print("{}\n", peaks.render(TextFormat::term, ""));
  Table caches{{"cache", "size", "how"}, {0, 1, 0}, {}};
  for (const auto& l : p.levels) caches.rows.push_back({l.name, human_bytes(l.bytes), l.how});
  if (!caches.rows.empty()) fmt::print("{}\n", caches.render(TextFormat::term, ""));
  Table bw{{"bandwidth", "ISA", "threads", "read GB/s", "copy GB/s", "copy_nt GB/s"}, {0, 0, 1, 1, 1, 1}, {}};
  for (const auto& level : memory_levels())
    for (const auto& [isa, ops] : p.bandwidth) {
      std::map<int, std::vector<std::string>> rows;
      for (const char* op : {"read", "copy", "copy_nt"}) {
        const auto o = ops.find(op);
        if (o == ops.end() || !o->second.count(level)) continue;
        for (const auto& [t, c] : o->second.at(level)) {
          auto& r = rows[t];
          if (r.empty()) r = {level, isa, std::to_string(t), "—", "—", "—"};
          r[3 + (std::string(op) == "copy"      ? 1
                 : std::string(op) == "copy_nt" ? 2
                                                : 0)] = fmt::format("{:.1f} ({:.0f}–{:.0f})", c.best, c.min, c.best);
        }
      }
      for (auto& [t, r] : rows) bw.rows.push_back(std::move(r));
    }
  fmt::print("{}", bw.render(TextFormat::term, ""));
  fmt::print("each: the best of its trials (min–best); the roofline uses the best\n");
  for (const auto& n : p.notes) fmt::print("note: {}\n", n);
}

int roofline(const RooflineCliOptions& o) {
  const std::string path = profile_path();
  if (!o.refresh)
    if (const auto& p = machine_profile()) {
      fmt::print("machine profile {} (measured {}; --refresh measures again)\n\n", path, p->date);
      print_profile(*p);
      return 0;
    }
#ifndef __OPTIMIZE__
  fmt::print(stderr,
             "roofline: warning: an unoptimized build keeps the probes' accumulators in memory: its ceilings are "
             "far below the machine's (build with the release preset)\n");
#endif
  RooflineOptions ro;
  ro.trials = o.trials;
  ro.trial_seconds = o.trial_time;
  ro.progress = [](const std::string& s) { fmt::print(stderr, "roofline: {}\n", s); };
  const MachineProfile p = measure_profile(ro);
  save_profile(p, path);
  reset_machine_profile();
  fmt::print("wrote machine profile {}\n\n", path);
  print_profile(p);
  return 0;
}

}  // namespace

Command roofline_command() {
  return {"roofline",
          "measure this machine's ceilings (peak GFLOP/s, bandwidth per cache level, cache sizes) once, for "
          "pct_peak",
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<RooflineCliOptions>();
            app.add_flag("--refresh", o->refresh, "measure again even if this machine has a profile");
            app.add_option("--trials", o->trials, "trials per ceiling (the best is kept)")->check(CLI::Range(5, 1000));
            app.add_option("--trial-time", o->trial_time, "seconds per trial")->check(CLI::Range(0.001, 10.0));
            app.footer(
                "The profile is JSON in ${XDG_CACHE_HOME:-~/.cache}/cromwell/machine-<fingerprint>.json "
                "(CROMWELL_PROFILE=path chooses another); `scripts/plot roofline --ceilings` reads it too.");
            return [o](const Invocation&) { return roofline(*o); };
          }};
}

}  // namespace cromwell::cli
