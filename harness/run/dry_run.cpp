#include "harness/run/dry_run.hpp"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

std::string duration(double s) {
  if (s < 90) return fmt::format("{:.0f} s", s);
  if (s < 5400) return fmt::format("{:.0f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

}  // namespace

double estimate_seconds(std::size_t configs_to_run, std::size_t calibrations, const DurationModel& m) {
  const double timed = m.timing.repetitions * m.timing.min_time;
  return double(configs_to_run) * (timed + m.per_config_s + m.extra_s) + double(calibrations) * timed;
}

void print_dry_run(std::FILE* out, const Plan& plan, const RunOptions& opt, const std::string& strategy,
                   const DurationModel& m) {
  std::size_t runnable = 0, recorded = 0;
  struct Group {
    std::size_t count = 0;
    std::string example;
  };
  std::map<std::pair<Status, std::string>, Group> not_run;
  for (const auto& pc : plan.configs) {
    if (pc.status == Status::measured) {
      ++runnable;
      if (opt.recorded.count(pc.config.key())) {
        ++recorded;
        continue;
      }
      fmt::print(out, "run      {}\n", pc.config.key());
    } else {
      Group& g = not_run[{pc.status, fold_numbers(pc.reason)}];
      if (g.count++ == 0) g.example = pc.reason;
    }
  }
  for (const auto& [kind, g] : not_run)
    fmt::print(out, "{:<8} {:>5} × {}\n", to_string(kind.first), g.count, g.example);
  const std::size_t rows = rows_to_write(plan, opt);
  const std::size_t other = plan.configs.size() - runnable;
  const std::size_t calibrations = opt.time && opt.calibrate ? plan.calibrations.size() : 0;
  const std::size_t to_run = rows - other - calibrations;
  const std::size_t left = to_run > recorded ? to_run - recorded : 0;
  fmt::print(out, "\n{} configs: {} runnable, {} rejected or pruned (not run); strategy {} measures {}",
             plan.configs.size(), runnable, other, strategy, to_run);
  if (recorded) fmt::print(out, ", {} of them already recorded", recorded);
  fmt::print(out, "; calibration rows: {}\n", calibrations);
  fmt::print(
      out, "estimate: about {} ({} configs × ({} × {} s timed + about {:.2f} s of checking, warm-up and overhead{}))\n",
      duration(estimate_seconds(left, calibrations, m)), left, m.timing.repetitions, m.timing.min_time, m.per_config_s,
      m.extra_s > 0 ? fmt::format(" + {:.2f} s per config", m.extra_s) : "");
}

}  // namespace cromwell
