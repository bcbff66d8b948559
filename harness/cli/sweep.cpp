// cromwell sweep: check and time the configs of a sweep (flags, a spec file, or the built-in
// sweep); one CSV row per config (and JSON lines on request) written as it is measured, the run's
// context next to it, a progress line and a table on the terminal. A sweep can be resumed, split
// into shards, isolated per config, replayed from a file, and stopped cleanly by a signal.
#include <ctime>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/io/console.hpp"
#include "harness/io/context.hpp"
#include "harness/io/output.hpp"
#include "harness/io/progress.hpp"
#include "harness/io/results.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/signals.hpp"
#include "harness/platform/text.hpp"
#include "harness/roofline/profile.hpp"
#include "harness/run/child.hpp"
#include "harness/run/dry_run.hpp"
#include "harness/run/identity.hpp"
#include "harness/run/phases.hpp"
#include "harness/run/prepare.hpp"
#include "harness/run/resume.hpp"
#include "harness/run/runner.hpp"
#include "harness/run/shard.hpp"
#include "harness/run/spec.hpp"

namespace cromwell::cli {
namespace {

struct SweepOptions {
  SelectionOptions selection;
  AxesOptions axes;
  TimingGroup timing;
  InputOptions inputs;
  CounterGroup counters;
  std::string output, jsonl, strategy = "grid", objective = "time_ns", replay, shard;
  std::uint64_t search_seed = 1;
  CLI::Option *strategy_opt = nullptr, *objective_opt = nullptr, *seed_opt = nullptr;
  bool overwrite = false, resume = false, force = false, retry_errors = false, dry_run = false, isolate = false;
  double timeout = 0;
};

// The base of the default output name: results/runs/sweep-DATE-TIME (a suffix when taken).
std::string default_output_base() {
  const std::time_t now = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "results/runs/sweep-%Y%m%d-%H%M%S", std::localtime(&now));
  return buf;
}

OutputFile claim_output(const SweepOptions& o, const std::string& path, const char* option) {
  const auto mode =
      o.resume ? OutputFile::Mode::resume : (o.overwrite ? OutputFile::Mode::overwrite : OutputFile::Mode::create);
  return OutputFile(path, mode, option);
}

// A spec file given as the first argument (x.toml), read and validated whole.
std::optional<SweepSpec> spec_of(const SweepOptions& o) {
  const auto& f = o.selection.filters;
  if (f.empty() || !f[0].ends_with(".toml")) return std::nullopt;
  return read_spec(f[0]);
}

// The spec's request, and over it what the command line gives: filters, --set (per name),
// shapes, --no-prune and the axes.
SweepRequest request_of(const SweepSpec& spec, const SweepOptions& o) {
  SweepRequest req;
  spec.fill(req);
  SweepRequest flags;
  o.selection.fill(flags);
  if (flags.filters.size() > 1) req.filters.assign(flags.filters.begin() + 1, flags.filters.end());
  for (const auto& [name, values] : flags.sets) {
    std::erase_if(req.sets, [&](const auto& s) { return s.first == name; });
    req.sets.emplace_back(name, values);
  }
  if (!flags.shapes.empty() || !flags.preset.empty()) {
    req.shapes = flags.shapes;
    req.preset = flags.preset;
  }
  req.no_prune = req.no_prune || flags.no_prune;
  o.axes.fill(req, /*given_only=*/true);
  return req;
}

SweepRequest request_of(const SweepOptions& o) {
  SweepRequest req;
  if (o.selection.chooses_configs()) {
    o.selection.fill(req);
    o.axes.fill(req, /*given_only=*/false);
  } else {
    // The built-in sweep keeps every axis the user gave.
    req = default_sweep();
    req.no_prune = o.selection.no_prune;
    o.axes.fill(req, /*given_only=*/true);
    std::vector<std::string> threads;
    for (int t : req.threads) threads.push_back(std::to_string(t));
    fmt::print("No filters given: running the built-in sweep (GEMM variants at m=n=k=512, threads {}).\n",
               join(threads, ","));
  }
  return req;
}

// The objective's column among the rows' columns (a real one), as a function of a record.
std::function<std::optional<double>(const Record&)> objective_of(const Objective& obj, const Columns& columns) {
  std::vector<std::string> reals;
  for (const Column& c : columns_of(columns)) {
    if (c.type != ColumnType::real) continue;
    if (c.name == obj.metric)
      return [c, max = obj.maximize](const Record& r) -> std::optional<double> {
        if (r.status != Status::measured) return std::nullopt;
        const Value v = c.get(r);
        if (!std::holds_alternative<double>(v)) return std::nullopt;
        return max ? -std::get<double>(v) : std::get<double>(v);
      };
    reals.push_back(c.name);
  }
  throw std::invalid_argument(
      fmt::format("--objective {}: not a real-valued column of this sweep's rows ({})", obj.text(), join(reals, ", ")));
}

// --replay FILE: measurements served from a recorded file, by key.
std::function<Record(const PlannedConfig&)> replay_from(ResultsFile file) {
  auto rows = std::make_shared<std::map<std::string, Record>>();
  for (Record& r : file.records) rows->emplace(r.config.key(), std::move(r));
  const std::string path = file.path;
  return [rows, path](const PlannedConfig& pc) {
    if (auto it = rows->find(pc.config.key()); it != rows->end()) return it->second;
    Record r;
    r.config = pc.config;
    r.status = Status::error;
    r.reason = fmt::format("not in the replayed file {}", path);
    return r;
  };
}

int sweep(const SweepOptions& o, const Invocation& inv) {
  set_cache_override(o.selection.caches);
  const std::optional<SweepSpec> spec = spec_of(o);
  SweepRequest req = spec ? request_of(*spec, o) : request_of(o);
  MeasureOptions mo;
  mo.timing = o.timing.values;
  o.inputs.fill(mo);
  mo.caches = o.selection.caches;
  mo.counters = o.counters.values;
  req.cold_bytes = mo.cold_bytes;
  RunOptions run;
  run.strategy = parse_strategy(o.strategy);
  run.seed = o.search_seed;
  Objective objective = parse_objective(o.objective);
  std::string output = o.output;
  // What the spec sets, unless the command line sets it too.
  if (spec) {
    const auto given = [](const CLI::Option* opt) { return opt && opt->count() > 0; };
    if (spec->repetitions && !given(o.timing.repetitions_opt)) mo.timing.repetitions = *spec->repetitions;
    if (spec->min_time && !given(o.timing.min_time_opt)) mo.timing.min_time = *spec->min_time;
    if (spec->calibrate && !given(o.timing.calibrate_opt)) mo.timing.calibrate = *spec->calibrate;
    if (spec->counters && !given(o.counters.backend_opt)) mo.counters.backend = *spec->counters;
    if (spec->strategy && !given(o.strategy_opt)) run.strategy = *spec->strategy;
    if (spec->objective && !given(o.objective_opt)) objective = *spec->objective;
    if (spec->seed && !given(o.seed_opt)) run.seed = *spec->seed;
    if (spec->output && output.empty()) output = *spec->output;
  }
  if (o.timeout < 0) throw std::invalid_argument(fmt::format("--timeout {}: must be ≥ 0 seconds", o.timeout));
  if (o.timeout > 0 && !o.isolate)
    throw std::invalid_argument("--timeout needs --isolate: only a config in a child process can be stopped");
  if (o.resume && o.overwrite) throw std::invalid_argument("--resume and --overwrite: choose one");

  // The identity of the sweep is that of the whole plan: every shard of it has the same hash.
  Plan plan = expand(req);
  std::optional<Shard> shard;
  if (!o.shard.empty()) {
    shard = parse_shard(o.shard);
    if (run.strategy.kind == Strategy::Kind::search)
      throw std::invalid_argument(
          fmt::format("--shard {} with strategy {}: a search chooses each trial from the results of the others, so its "
                      "trials cannot be split beforehand; use grid or random:N, or one search per job",
                      o.shard, run.strategy.text()));
  }
  const Measurer m(mo);
  Columns columns = plan.columns;
  columns.metrics = m.counters().columns();
  if (!o.replay.empty()) {
    ResultsFile f = read_results(o.replay);
    columns.metrics = f.columns.metrics;
    run.measure = replay_from(std::move(f));
  } else if (o.isolate) {
    run.measure = [isolated = std::make_shared<IsolatedMeasurer>(m.options(), o.timeout)](const PlannedConfig& pc) {
      const PhaseTimer child(Phase::child);
      return isolated->measure(pc.config, *pc.variant);
    };
    run.calibrate = [&m](const Axes& a) { return m.calibrate(a); };
  } else {
    run.measure = [&m](const PlannedConfig& pc) { return m.measure(pc.config, *pc.variant); };
    run.calibrate = [&m](const Axes& a) { return m.calibrate(a); };
  }
  run.objective = objective_of(objective, columns);
  const SweepSettings settings{mo, run.strategy, objective, run.seed};
  const std::string hash = sweep_hash(plan, settings);
  const std::size_t configs = plan.configs.size();
  const std::string strategy = run.strategy.text();
  if (run.strategy.kind == Strategy::Kind::random) {
    draw_random(plan, run.strategy, run.seed);
    run.strategy = Strategy{};
  }
  if (shard) {
    keep_shard(plan, *shard);
    run.shard = shard->text();
  }

  if (o.dry_run) {
    DurationModel dm{mo.timing, 0.1, 0};
    if (o.isolate) dm.extra_s += 0.005;  // the worker's round trip; its start once (PERFORMANCE.md)
    if (m.counters().source().rfind("sim", 0) == 0) dm.extra_s += 3;
    print_dry_run(stdout, plan, run, strategy, dm);
    return 0;
  }

  // The outputs are claimed (and locked) before anything runs.
  std::optional<OutputFile> out_file;
  if (output.empty())
    out_file.emplace(OutputFile::unique(default_output_base(), ".csv"));
  else
    out_file.emplace(claim_output(o, output, "-o"));
  const std::string out = out_file->path();
  std::optional<OutputFile> lines_file;
  if (!o.jsonl.empty()) lines_file.emplace(claim_output(o, o.jsonl, "--jsonl"));

  for (const auto& n : plan.notes) fmt::print(stderr, "note: {}\n", n);
  if (!m.counters_why().empty()) fmt::print("{}\n", m.counters_why());

  ContextExtras extras;
  extras.counters_backend = m.counters().source();
  extras.command_line = inv.command_line;
  extras.cold_bytes = cold_bytes_or_default(mo.cold_bytes);
  extras.machine_profile = profile_context();
  std::vector<std::string> keys;
  for (const auto& pc : plan.configs) keys.push_back(pc.config.key());
  extras.sweep = {{"hash", hash},
                  {"configs", configs},
                  {"strategy", strategy},
                  {"objective", objective.text()},
                  {"search_seed", run.seed},
                  {"shard", shard ? nlohmann::ordered_json(shard->text()) : nlohmann::ordered_json()},
                  {"keys", keys},
                  {"slurm", slurm_ids()},
                  {"replay", o.replay.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(o.replay)},
                  {"isolate", o.isolate},
                  {"spec", spec ? spec->to_json() : nlohmann::ordered_json()}};
  nlohmann::ordered_json context = context_object(extras);
  const bool append = out_file->existed();
  if (append) {
    Resumed r = resume_from(out, columns, context, {o.force, o.retry_errors});
    for (const auto& n : r.notes) fmt::print(stderr, "note: {}\n", n);
    run.recorded = std::move(r.recorded);
    context = std::move(r.context);
    fmt::print("resuming {}: {} rows recorded\n", out, run.recorded.size());
  }
  std::vector<std::string> contexts{context_path(out)};
  if (!o.jsonl.empty() && context_path(o.jsonl) != contexts[0]) contexts.push_back(context_path(o.jsonl));
  for (const auto& c : contexts) write_json_file(c, context);

  auto csv = csv_sink(out, columns, append);
  const std::size_t total = rows_to_write(plan, run);
  const std::size_t done = run.recorded.size();
  auto console = progress_sink(console_sink(stdout), stderr, total, total - std::min(total, done), done);
  std::unique_ptr<Sink> lines = o.jsonl.empty() ? nullptr : jsonl_sink(o.jsonl, columns, lines_file->existed());
  std::vector<Sink*> sinks{csv.get(), console.get()};
  if (lines) sinks.push_back(lines.get());

  RunSummary s;
  {
    const StopSignals signals;
    s = run_plan(plan, sinks, run);
  }
  print_best(stdout, s.records);
  fmt::print("\n{}\n", phases_summary());
  fmt::print("\n{}{}\n", s.counts(), s.recorded ? fmt::format(" ({} recorded before)", s.recorded) : "");
  context["sweep"]["summary"] = {
      {"rows", s.total},
      {"measured", s.measured},
      {"rejected", s.rejected},
      {"pruned", s.pruned},
      {"unsupported", s.unsupported},
      {"failed", s.failed},
      {"errors", s.errors},
      {"stopped_by", s.stopped_by ? nlohmann::ordered_json(signal_name(s.stopped_by)) : nlohmann::ordered_json()}};
  context["sweep"]["phases"] = phases_json();  // of this session (a resumed sweep: of the last one)
  for (const auto& c : contexts) write_json_file(c, context);
  fmt::print("wrote {} and {}\n", out, join(contexts, " and "));
  if (s.stopped_by) {
    fmt::print(stderr, "stopped by {} after {} of {} rows; the same command with --resume continues it\n",
               signal_name(s.stopped_by), s.total, total);
    return 128 + s.stopped_by;
  }
  return s.failed || s.errors ? kExitWrong : 0;
}

}  // namespace

Command sweep_command() {
  return {
      "sweep", "check and time every config of a sweep (filters or a SPEC.toml); CSV + JSON context",
      [](CLI::App& app) -> Action {
        auto o = std::make_shared<SweepOptions>();
        o->selection.add(app);
        o->axes.add(app);
        o->timing.add(app, "timed repetitions per config (the median is reported)", "seconds per repetition");
        o->timing.add_calibrate(app);
        o->inputs.add(app);
        o->counters.add(app);
        app.add_option("-o,--output", o->output, "CSV file (default results/runs/sweep-DATE-TIME.csv)");
        app.add_flag("--overwrite", o->overwrite, "replace existing output files");
        app.add_option("--jsonl", o->jsonl, "also write the rows as JSON lines to this file");
        app.add_flag("--resume", o->resume,
                     "continue the sweep into its output, skipping the configs it holds (a missing file starts it)");
        app.add_flag("--force", o->force, "resume even when the file is another sweep, commit, build or CPU");
        app.add_flag("--retry-errors", o->retry_errors, "with --resume: run the configs of `error` rows again");
        app.add_flag("--dry-run", o->dry_run,
                     "print the configs to run, the rejected ones grouped by reason and an estimate of the duration");
        o->strategy_opt =
            app.add_option("--strategy", o->strategy, "grid | random:N | search:N (N trials per kernel and shape)")
                ->capture_default_str();
        o->objective_opt =
            app.add_option("--objective", o->objective, "what random and search minimize: time_ns, max:gflops, ...")
                ->capture_default_str();
        o->seed_opt = app.add_option("--search-seed", o->search_seed, "seed of the random and search draws")
                          ->capture_default_str();
        app.add_option("--replay", o->replay, "serve the measurements from this results file (strategies offline)");
        app.add_option("--shard", o->shard,
                       "K/N: only shard K (0 ≤ K < N) of the sweep, the configs at positions i with i % N == K (one "
                       "per task of a job array; `cromwell merge` joins them)");
        app.add_flag("--isolate", o->isolate,
                     "measure each config in a child process: a crash or --timeout becomes an error row");
        app.add_option("--timeout", o->timeout, "with --isolate: seconds a config may take (0: no limit)");
        return [o](const Invocation& inv) { return sweep(*o, inv); };
      }};
}

}  // namespace cromwell::cli
