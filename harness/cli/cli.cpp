// The `cromwell` command line: list, check, sweep, run, compare (and the internal _measure).
// Input problems throw std::invalid_argument before anything is written; they end with a
// message naming the problem and exit code 2. Wrong results end with exit code 1.
#include "harness/cli/cli.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>
#include <stdexcept>

#include <valgrind/callgrind.h>

#include "counters/backend.hpp"
#include "counters/known.hpp"
#include "counters/probe.hpp"
#include "harness/core/registry.hpp"
#include "harness/io/context.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/topology.hpp"
#include "harness/run/compare.hpp"
#include "harness/run/runner.hpp"
#include "harness/run/sweep.hpp"

namespace cromwell {
namespace {

constexpr int kExitBadInput = 2, kExitWrong = 1;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = s.find(sep, pos);
    out.push_back(s.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    if (end == std::string::npos) return out;
    pos = end + 1;
  }
}

std::int64_t parse_int_option(const std::string& option, const std::string& text) {
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

// Options shared by check, sweep, run and compare.
struct Common {
  std::string preset;
  std::vector<std::string> filters, sets, shapes, threads{"1"}, pins{"none"}, caches{"hot"}, aligns{"0"};
  std::string caches_override;
  int repetitions = 5;
  double min_time = 0.05;
  std::uint64_t seed = 42;
  std::string cold_bytes;
  bool no_prune = false;
  std::string counters = "auto";
  CounterOptions counter_options;
};

void add_selection(CLI::App* app, Common& c, bool with_filters) {
  if (with_filters) app->add_option("filters", c.filters, "kernel.variant globs, e.g. 'gemm.*' or gemm.avx2");
  app->add_option("--set", c.sets, "name=values: 64,128 | lo..hi:step | lo..hi*factor (repeatable)");
  app->add_option("--shape", c.shapes, "a shape such as m:1024,n:1024,k:1024 (repeatable)");
  app->add_option("--shapes", c.preset, "llm: the inference engine's decode and prefill shapes for every kernel");
  app->add_option("--threads", c.threads, "thread counts, e.g. 1,2")->delimiter(',');
  app->add_option("--pin", c.pins,
                  "none|compact|scatter|cores|ccx (comma-separated) or one cpu list such as 0,2 (repeatable)");
  app->add_option("--cache", c.caches, "hot|cold")->delimiter(',');
  app->add_option("--align", c.aligns, "byte offsets of every buffer from a 64-byte boundary, e.g. 0,4")
      ->delimiter(',');
  app->add_option("--caches", c.caches_override, "cache sizes for constraints: l1d=32K,l2=512K,l3=32M");
  app->add_option("--seed", c.seed, "seed of the input data");
  app->add_flag("--no-prune", c.no_prune, "run configs that machine heuristics would prune");
}

void add_counters(CLI::App* app, Common& c) {
  app->add_option("--counters", c.counters, "auto|perf|sim|sw|none (auto: hardware where it counts, else software)");
  app->add_option("--cache-model", c.counter_options.cache_model,
                  "sim: zen3 (default) or l1d=32K/8,l2=512K/8,l3=32M/16");
  app->add_option("--sim-calls", c.counter_options.sim_calls, "sim: calls in the simulated region");
  app->add_option("--groups", c.counter_options.groups_dir,
                  "directory of event group files overriding the built-in ones");
}

void add_timing(CLI::App* app, Common& c) {
  app->add_option("--repetitions", c.repetitions, "timed repetitions per config (median is reported)");
  app->add_option("--min-time", c.min_time, "seconds per repetition");
  app->add_option("--cold-bytes", c.cold_bytes, "bytes of workspace copies rotated with --cache cold (default 4×L3)");
}

SweepRequest to_request(const Common& c) {
  SweepRequest r;
  r.filters = c.filters;
  for (const auto& s : c.sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument(fmt::format("--set {}: expected name=values, e.g. --set tile=64,128", s));
    r.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  r.shapes = c.shapes;
  r.preset = c.preset;
  r.threads.clear();
  for (const auto& t : c.threads) {
    const auto v = parse_int_option("--threads", t);
    if (v < 1) throw std::invalid_argument(fmt::format("--threads {}: a thread count must be ≥ 1", t));
    if (v > 1024) throw std::invalid_argument(fmt::format("--threads {}: at most 1024", t));
    r.threads.push_back(static_cast<int>(v));
  }
  r.pins.clear();
  for (const auto& p : c.pins) {
    const auto items = split(p, ',');
    bool all_policies = true;
    for (const auto& i : items) all_policies = all_policies && is_pin_policy(i);
    if (all_policies)
      r.pins.insert(r.pins.end(), items.begin(), items.end());
    else {
      parse_cpu_list(p);
      r.pins.push_back(p);
    }
  }
  r.caches = c.caches;
  r.aligns.clear();
  for (const auto& a : c.aligns) r.aligns.push_back(parse_int_option("--align", a));
  r.no_prune = c.no_prune;
  return r;
}

MeasureOptions to_measure(const Common& c) {
  if (c.repetitions < 1) throw std::invalid_argument(fmt::format("--repetitions {}: must be ≥ 1", c.repetitions));
  if (!(c.min_time > 0) || c.min_time > 3600)
    throw std::invalid_argument(fmt::format("--min-time {}: must be > 0 and ≤ 3600 seconds", c.min_time));
  MeasureOptions m;
  m.timing.repetitions = c.repetitions;
  m.timing.min_time = c.min_time;
  m.seed = c.seed;
  if (!c.cold_bytes.empty()) {
    const auto b = parse_bytes(c.cold_bytes);
    if (b <= 0) throw std::invalid_argument(fmt::format("--cold-bytes {}: must be > 0", c.cold_bytes));
    m.cold_bytes = static_cast<std::size_t>(b);
  }
  return m;
}

Config resolve_key(const std::string& key) {
  Config c = parse_key(key);
  Registry::get().validate(c);
  return c;
}

std::string default_output() {
  const std::time_t now = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "results/runs/sweep-%Y%m%d-%H%M%S.csv", std::localtime(&now));
  return buf;
}

std::string sidecar_path(const std::string& csv) {
  std::filesystem::path p(csv);
  if (p.extension() == ".csv")
    p.replace_extension(".json");
  else
    p += ".json";
  return p.string();
}

int cmd_list(const std::string& what, const CounterOptions& opt) {
  const Registry& reg = Registry::get();
  if (what == "kernels") {
    for (const auto& k : reg.kernels()) {
      std::string dims;
      for (const auto& d : k.dims) dims += (dims.empty() ? "" : ",") + d;
      fmt::print("{:<12} dims {:<16} {}\n", k.name, dims, k.summary);
    }
  } else if (what == "variants") {
    for (const auto& v : reg.variants()) {
      std::string isa;
      for (const auto& f : v.isa) isa += (isa.empty() ? "" : "+") + f;
      const auto missing = missing_isa(v.isa);
      fmt::print("{:<26} {:<16} {}{}\n", v.id(), isa.empty() ? "baseline" : isa, v.summary,
                 missing.empty() ? "" : fmt::format("  [unsupported here: no {}]", missing));
    }
  } else if (what == "params") {
    for (const auto& v : reg.variants()) {
      if (v.space.params.empty()) continue;
      fmt::print("{}\n", v.id());
      for (const auto& p : v.space.params) {
        std::string sweep;
        for (const auto& s : p.sweep) sweep += (sweep.empty() ? "" : ",") + s;
        fmt::print("  {:<9} default {:<6} sweep {:<22} valid {:<16} {}{}\n", p.name, p.fallback, sweep, p.allowed(),
                   p.help, p.unit.empty() ? "" : fmt::format(" [{}]", p.unit));
      }
      for (const auto& c : v.space.constraints)
        fmt::print("  constraint {} ({})\n", c.name,
                   c.kind == Constraint::Kind::validity ? "validity: rejects" : "heuristic: prunes");
    }
  } else if (what == "metrics") {
    list_metrics(stdout, opt);
  } else if (what == "events") {
    list_events(stdout, opt);
  } else {
    throw std::invalid_argument(fmt::format("list {}: allowed kernels|variants|params|metrics|events", what));
  }
  return 0;
}

int cmd_check(const Common& c) {
  SweepRequest req = to_request(c);
  req.check_shapes = req.shapes.empty();
  req.no_prune = true;  // heuristics decide what is worth timing, not what is worth checking
  if (!c.caches_override.empty()) set_cache_override(c.caches_override);
  const Plan plan = expand(req);
  MeasureOptions opt = to_measure(c);
  struct Failures final : Sink {
    void write(const Record& r) override {
      if (r.status == Status::failed || r.status == Status::error)
        fmt::print(stderr, "{} {}: {}\n", to_string(r.status), r.config.key(), r.reason);
    }
  } failures;
  const RunSummary s = run_plan(plan, opt, {&failures}, false);
  fmt::print(
      "checked {} configs of {} variant(s): {} correct, {} failed, {} errors, {} unsupported, "
      "{} rejected, {} pruned\n",
      s.total,
      [&] {
        std::set<std::string> ids;
        for (const auto& pc : plan.configs) ids.insert(pc.config.id());
        return ids.size();
      }(),
      s.measured, s.failed, s.errors, s.unsupported, s.rejected, s.pruned);
  return s.failed || s.errors ? kExitWrong : 0;
}

int cmd_sweep(const Common& c, const std::string& output, bool overwrite, const std::string& jsonl,
              const std::string& command_line) {
  const bool defaults = c.filters.empty() && c.sets.empty() && c.shapes.empty() && c.preset.empty();
  SweepRequest req = defaults ? default_sweep() : to_request(c);
  if (defaults) {
    // The built-in sweep keeps any axis the user set explicitly.
    const SweepRequest given = to_request(c);
    if (c.threads != std::vector<std::string>{"1"}) req.threads = given.threads;
    req.pins = given.pins;
    req.caches = given.caches;
    req.aligns = given.aligns;
    req.no_prune = given.no_prune;
    fmt::print("No filters given: running the built-in sweep (GEMM variants at m=n=k=512, 1 and 2 threads).\n");
  }
  if (!c.caches_override.empty()) set_cache_override(c.caches_override);
  Plan plan = expand(req);
  MeasureOptions opt = to_measure(c);
  const BackendChoice counters = make_backend(c.counters, c.counter_options);
  opt.counters = counters.backend.get();
  opt.counters_name = c.counters;
  plan.columns.metrics = counters.backend->columns();
  const std::string out = output.empty() ? default_output() : output;
  if (std::filesystem::exists(out) && !overwrite)
    throw std::invalid_argument(fmt::format("-o {}: the file exists; choose another name or pass --overwrite", out));
  if (std::filesystem::path(out).has_parent_path())
    std::filesystem::create_directories(std::filesystem::path(out).parent_path());
  for (const auto& n : plan.notes) fmt::print(stderr, "note: {}\n", n);
  if (!counters.why.empty()) fmt::print("{}\n", counters.why);
  auto csv = csv_sink(out, plan.columns);
  auto console = console_sink(stdout, plan.columns);
  std::unique_ptr<Sink> lines = jsonl.empty() ? nullptr : jsonl_sink(jsonl, plan.columns);
  ContextExtras extras;
  extras.counters_backend = counters.backend->source();
  extras.command_line = command_line;
  extras.cold_bytes = std::to_string(cold_bytes_or_default(opt.cold_bytes));
  write_context(sidecar_path(out), extras);
  std::vector<Sink*> sinks{csv.get(), console.get()};
  if (lines) sinks.push_back(lines.get());
  const RunSummary s = run_plan(plan, opt, sinks, true);
  print_best(stdout, s);
  fmt::print("\n{} rows: {} measured, {} rejected, {} pruned, {} unsupported, {} failed, {} errors\n", s.total,
             s.measured, s.rejected, s.pruned, s.unsupported, s.failed, s.errors);
  fmt::print("wrote {} and {}\n", out, sidecar_path(out));
  return s.failed || s.errors ? kExitWrong : 0;
}

int cmd_run(const std::string& key, long calls, std::uint64_t seed, bool skip_check) {
  if (calls < 1) throw std::invalid_argument(fmt::format("--calls {}: must be ≥ 1", calls));
  const Config c = resolve_key(key);
  const VariantEntry& v = *Registry::get().variant(c.id());
  if (auto missing = missing_isa(v.isa); !missing.empty())
    throw std::invalid_argument(fmt::format("{}: this CPU lacks {}", key, missing));
  Pool& pool = pool_for(c.axes.threads, c.axes.pin);
  Pool::CallerPin pin(pool);
  InstanceOptions io{seed, static_cast<std::size_t>(c.axes.align), c.axes.cache == "cold", cold_bytes_or_default(0)};
  auto inst = v.instantiate(c.shape, c.params, pool, io);
  if (!skip_check)
    if (Check ck = inst->check(); !ck.ok) {
      fmt::print(stderr, "failed {}: {}\n", key, ck.detail);
      return kExitWrong;
    }
  inst->call(0);  // warm-up
  // Exactly these calls form the collected region under callgrind (no-ops natively).
  CALLGRIND_ZERO_STATS;
  CALLGRIND_TOGGLE_COLLECT;
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < calls; ++i) inst->call(static_cast<std::size_t>(i) % inst->copies());
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  CALLGRIND_TOGGLE_COLLECT;
  const Work w = inst->work();
  fmt::print("{}: {}{} call(s), {:.1f} ns per call", key, skip_check ? "" : "correct; ", calls, ns / calls);
  if (w.flops > 0) fmt::print(", {:.2f} GFLOP/s", w.flops * calls / ns);
  if (w.bytes > 0) fmt::print(", {:.2f} GB/s", w.bytes * calls / ns);
  fmt::print(" (one untimed-loop run: use sweep or compare for statistics)\n");
  return 0;
}

int cmd_compare(const std::vector<std::string>& keys, const Common& c) {
  std::vector<Config> configs;
  for (const auto& k : keys) configs.push_back(resolve_key(k));
  const MeasureOptions opt = to_measure(c);
  fmt::print("Interleaved: {} rounds × {} configs, {:.3g} s each\n", c.repetitions, configs.size(), c.min_time);
  const CompareResult res = compare(configs, opt, c.repetitions);
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

// Internal: measures one config and prints the record for the parent process.
int cmd_measure_child(const std::string& key, const Common& c) {
  const Config cfg = resolve_key(key);
  MeasureOptions opt = to_measure(c);
  opt.in_child = true;
  const BackendChoice counters = make_backend(c.counters, c.counter_options);
  opt.counters = counters.backend.get();
  opt.counters_name = c.counters;
  const Record r = measure(cfg, *Registry::get().variant(cfg.id()), opt, true);
  std::fputs(encode_record(r).c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cromwell: sweep, check and measure CPU kernels of LLM inference"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every subcommand");
  Common c;
  std::string list_what = "variants", output, jsonl, key;
  std::vector<std::string> keys;
  bool overwrite = false;
  long calls = 1;

  auto* list = app.add_subcommand("list", "list kernels, variants, params, metrics or events");
  list->add_option("what", list_what, "kernels|variants|params|metrics|events");
  list->add_option("--groups", c.counter_options.groups_dir, "directory of event group files");
  auto* check = app.add_subcommand("check", "check selected configs against their references (no timing)");
  add_selection(check, c, true);
  auto* sweep = app.add_subcommand("sweep", "check and time every config of a sweep; CSV + JSON context");
  add_selection(sweep, c, true);
  add_timing(sweep, c);
  add_counters(sweep, c);
  sweep->add_option("-o,--output", output, "CSV file (default results/runs/sweep-DATE-TIME.csv)");
  sweep->add_flag("--overwrite", overwrite, "replace an existing output file");
  sweep->add_option("--jsonl", jsonl, "also write the rows as JSON lines to this file");
  auto* run = app.add_subcommand("run", "run one config (by key) N times without the timing loop");
  run->add_option("key", key, "a config key as printed by sweep")->required();
  run->add_option("--calls", calls, "number of calls");
  run->add_option("--seed", c.seed, "seed of the input data");
  bool skip_check = false, validate = false;
  run->add_flag("--skip-check", skip_check, "do not check the result first (the simulated backend's runs)");
  auto* probe = app.add_subcommand("counters", "what this machine can count, and why not");
  probe->add_flag("--validate", validate, "run known-answer kernels and mark each metric validated or suspicious");
  add_counters(probe, c);
  auto* known = app.add_subcommand("_known", "");
  known->group("");
  std::string known_name;
  known->add_option("name", known_name)->required();
  auto* cmp = app.add_subcommand("compare", "interleaved A B A B re-measurement with median ratios");
  cmp->add_option("keys", keys, "config keys")->required();
  cmp->add_option("--repetitions", c.repetitions, "rounds (each config measured once per round)");
  cmp->add_option("--min-time", c.min_time, "seconds per measurement");
  cmp->add_option("--cold-bytes", c.cold_bytes, "bytes of workspace copies for --cache cold");
  cmp->add_option("--seed", c.seed, "seed of the input data");
  auto* child = app.add_subcommand("_measure", "");
  child->group("");
  child->add_option("key", key)->required();
  add_timing(child, c);
  add_counters(child, c);
  child->add_option("--seed", c.seed);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitBadInput;
  }
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  try {
    if (*list) return cmd_list(list_what, c.counter_options);
    if (*check) return cmd_check(c);
    if (*sweep) return cmd_sweep(c, output, overwrite, jsonl, command_line);
    if (*run) return cmd_run(key, calls, c.seed, skip_check);
    if (*probe) {
      if (!validate) return counters_probe(stdout, c.counter_options);
      // auto: hardware where it counts, else the simulator.
      std::string which = c.counters;
      if (which == "auto")
        which = make_backend("auto", c.counter_options).backend->source().rfind("perf", 0) == 0 ? "perf" : "sim";
      return counters_validate(stdout, which, c.counter_options);
    }
    if (*known) {
      run_known(known_name, true);
      return 0;
    }
    if (*cmp) return cmd_compare(keys, c);
    if (*child) return cmd_measure_child(key, c);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "cromwell: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cromwell: error: {}\n", e.what());
    return kExitWrong;
  }
  return 0;
}

}  // namespace cromwell
