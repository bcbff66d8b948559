// cromwell compare KEY...: configs re-measured interleaved, each one's speed relative to the first
// as a median paired ratio with a 95 % confidence interval (run/compare.hpp).
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/run/compare.hpp"

namespace cromwell::cli {
namespace {

struct CompareOptions {
  std::vector<std::string> keys;
  TimingGroup timing;
  InputOptions inputs;
};

int compare_keys(const CompareOptions& o) {
  std::vector<Config> configs;
  for (const auto& k : o.keys) {
    configs.push_back(parse_key(k));
    Registry::get().validate(configs.back());
  }
  MeasureOptions mo;
  mo.timing = o.timing.values;
  o.inputs.fill(mo);
  fmt::print("Interleaved: {} rounds × {} configs, {:.3g} s each\n", mo.timing.repetitions, configs.size(),
             mo.timing.min_time);
  const CompareResult res = compare(configs, mo, mo.timing.repetitions);
  for (std::size_t j = 0; j < res.records.size(); ++j) {
    const Record& r = res.records[j];
    fmt::print("[{}] {}\n    median {}, min {}, err {:.1f}%{}", char('A' + j), r.config.key(),
               human_time(r.time_ns.value_or(0)), human_time(r.time_ns_min.value_or(0)), r.err_pct.value_or(0),
               r.unstable ? " (unstable)" : "");
    if (r.gflops) fmt::print(", {:.2f} GFLOP/s", *r.gflops);
    if (r.gbps) fmt::print(", {:.2f} GB/s", *r.gbps);
    if (!r.note.empty()) fmt::print("  [{}]", r.note);
    fmt::print("\n");
    if (j > 0)
      fmt::print("    speed vs A: {:.3f}× (95% CI {:.3f} – {:.3f}, median of {} paired rounds)\n",
                 res.speedup[j].median, res.speedup[j].lo, res.speedup[j].hi, res.rounds);
  }
  return 0;
}

}  // namespace

Command compare_command() {
  return {"compare", "interleaved A B A B re-measurement with median ratios", [](CLI::App& app) -> Action {
            auto o = std::make_shared<CompareOptions>();
            app.add_option("keys", o->keys, "config keys")->required();
            o->timing.add(app, "rounds (each config measured once per round)", "seconds per measurement");
            o->inputs.add(app);
            return [o](const Invocation&) { return compare_keys(*o); };
          }};
}

}  // namespace cromwell::cli
