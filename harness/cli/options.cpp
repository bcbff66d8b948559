#include "harness/cli/options.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/machine.hpp"
#include "harness/platform/text.hpp"
#include "harness/platform/topology.hpp"

namespace cromwell::cli {
namespace {

std::int64_t parse_int(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty())
    throw std::invalid_argument(fmt::format("{} {}: '{}' is not an integer", option, text, text));
  return v;
}

}  // namespace

void SelectionOptions::add(CLI::App& app) {
  app.add_option("filters", filters, "kernel.variant globs, e.g. 'gemm.*' or gemm.avx2");
  app.add_option("--set", sets, "name=values: 64,128 | lo..hi:step | lo..hi*factor (repeatable)");
  app.add_option("--shape", shapes, "a shape such as m:1024,n:1024,k:1024 (repeatable)");
  app.add_option("--shapes", preset, "llm: the inference engine's decode and prefill shapes for every kernel");
  app.add_flag("--no-prune", no_prune, "run configs that machine heuristics would prune");
  app.add_option("--caches", caches, "cache sizes for constraints: l1d=32K,l2=512K,l3=32M");
}

bool SelectionOptions::chooses_configs() const {
  return !filters.empty() || !sets.empty() || !shapes.empty() || !preset.empty();
}

void SelectionOptions::fill(SweepRequest& r) const {
  r.filters = filters;
  r.sets.clear();
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument(fmt::format("--set {}: expected name=values, e.g. --set tile=64,128", s));
    r.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  r.shapes = shapes;
  r.preset = preset;
  r.no_prune = no_prune;
}

void AxesOptions::add(CLI::App& app) {
  threads_opt = app.add_option("--threads", threads, "thread counts, e.g. 1,2 (default 1)")->delimiter(',');
  pins_opt = app.add_option("--pin", pins,
                            "none|compact|scatter|cores|ccx (comma-separated) or one cpu list such as 0,2 (repeatable; "
                            "default none)");
  caches_opt = app.add_option("--cache", caches, "hot|cold (default hot)")->delimiter(',');
  aligns_opt =
      app.add_option("--align", aligns, "byte offsets of every buffer from a 64-byte boundary, e.g. 0,4 (default 0)")
          ->delimiter(',');
}

void AxesOptions::fill(SweepRequest& r, bool given_only) const {
  if (!given_only || threads_opt->count()) {
    r.threads.clear();
    for (const auto& t : threads) r.threads.push_back(static_cast<int>(parse_int("--threads", t)));
    if (threads.empty()) r.threads = {1};
  }
  if (!given_only || pins_opt->count()) {
    r.pins.clear();
    for (const auto& p : pins) {
      const auto items = split_pins(p);  // "compact,scatter" is two policies; "0,2" is one cpu list
      r.pins.insert(r.pins.end(), items.begin(), items.end());
    }
    if (pins.empty()) r.pins = {"none"};
  }
  if (!given_only || caches_opt->count()) r.caches = caches.empty() ? std::vector<std::string>{"hot"} : caches;
  if (!given_only || aligns_opt->count()) {
    r.aligns.clear();
    for (const auto& a : aligns) r.aligns.push_back(parse_int("--align", a));
    if (aligns.empty()) r.aligns = {0};
  }
}

void TimingGroup::add(CLI::App& app, const std::string& repetitions_help, const std::string& min_time_help) {
  repetitions_opt = app.add_option("--repetitions", values.repetitions, repetitions_help)->capture_default_str();
  min_time_opt = app.add_option("--min-time", values.min_time, min_time_help)->capture_default_str();
}

void TimingGroup::add_calibrate(CLI::App& app) {
  calibrate_opt = app.add_flag("--calibrate", values.calibrate,
                               "follow each repetition with one of a calibration kernel of the config's bound type "
                               "(columns calib, calib_ns; gate --normalize)");
}

void InputOptions::add(CLI::App& app) {
  app.add_option("--seed", seed, "seed of the input data")->capture_default_str();
  app.add_option("--cold-bytes", cold_bytes, "bytes of workspace copies rotated with --cache cold (default 4×L3)");
}

void InputOptions::fill(MeasureOptions& m) const {
  m.seed = seed;
  m.cold_bytes = 0;
  if (!cold_bytes.empty()) {
    const auto b = parse_bytes(cold_bytes);
    if (b <= 0) throw std::invalid_argument(fmt::format("--cold-bytes {}: must be > 0", cold_bytes));
    m.cold_bytes = static_cast<std::size_t>(b);
  }
}

void CounterGroup::add(CLI::App& app, bool with_backend) {
  if (with_backend)
    backend_opt = app.add_option("--counters", values.backend,
                                 "auto|perf|sim|sw|none (auto: hardware where it counts, else software)")
                      ->capture_default_str();
  app.add_option("--cache-model", values.cache_model, "sim: zen3 or l1d=32K/8,l2=512K/8,l3=32M/16")
      ->capture_default_str();
  app.add_option("--sim-calls", values.sim_calls, "sim: calls in the simulated region")->capture_default_str();
  app.add_option("--groups", values.groups_dir, "directory of event group files overriding the built-in ones");
}

}  // namespace cromwell::cli
