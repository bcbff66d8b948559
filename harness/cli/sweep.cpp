// cromwell sweep: check and time every config of a sweep; one CSV row per config (and JSON lines
// on request) written as it is measured, the run's context next to it, and a table on the terminal.
#include <ctime>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/io/console.hpp"
#include "harness/io/context.hpp"
#include "harness/io/results.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/text.hpp"
#include "harness/run/phases.hpp"
#include "harness/run/prepare.hpp"
#include "harness/run/runner.hpp"

namespace cromwell::cli {
namespace {

struct SweepOptions {
  SelectionOptions selection;
  AxesOptions axes;
  TimingGroup timing;
  InputOptions inputs;
  CounterGroup counters;
  std::string output, jsonl;
  bool overwrite = false;
};

std::string default_output() {
  const std::time_t now = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "results/runs/sweep-%Y%m%d-%H%M%S.csv", std::localtime(&now));
  return buf;
}

// Refuses to replace a file unless asked to; creates the parent directory.
void claim(const std::string& path, bool overwrite, const char* option) {
  namespace fs = std::filesystem;
  if (fs::exists(path) && !overwrite)
    throw std::invalid_argument(
        fmt::format("{} {}: the file exists; choose another name or pass --overwrite", option, path));
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
}

int sweep(const SweepOptions& o, const Invocation& inv) {
  set_cache_override(o.selection.caches);
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
  Plan plan = expand(req);
  MeasureOptions mo;
  mo.timing = o.timing.values;
  o.inputs.fill(mo);
  mo.caches = o.selection.caches;
  mo.counters = o.counters.values;
  const Measurer m(mo);
  Columns columns = plan.columns;
  columns.metrics = m.counters().columns();
  const std::string out = o.output.empty() ? default_output() : o.output;
  claim(out, o.overwrite, "-o");
  if (!o.jsonl.empty()) claim(o.jsonl, o.overwrite, "--jsonl");
  for (const auto& n : plan.notes) fmt::print(stderr, "note: {}\n", n);
  if (!m.counters_why().empty()) fmt::print("{}\n", m.counters_why());

  ContextExtras extras;
  extras.counters_backend = m.counters().source();
  extras.command_line = inv.command_line;
  extras.cold_bytes = cold_bytes_or_default(mo.cold_bytes);
  std::vector<std::string> contexts{context_path(out)};
  if (!o.jsonl.empty() && context_path(o.jsonl) != contexts[0]) contexts.push_back(context_path(o.jsonl));
  for (const auto& c : contexts) write_context(c, extras);
  auto csv = csv_sink(out, columns);
  auto console = console_sink(stdout);
  std::unique_ptr<Sink> lines = o.jsonl.empty() ? nullptr : jsonl_sink(o.jsonl, columns);
  std::vector<Sink*> sinks{csv.get(), console.get()};
  if (lines) sinks.push_back(lines.get());
  const RunSummary s = run_plan(plan, m, sinks, /*time=*/true);
  print_best(stdout, s.records);
  fmt::print("\n{}\n", phases_summary());
  fmt::print("\n{}\n", s.counts());
  fmt::print("wrote {} and {}\n", out, join(contexts, " and "));
  return s.failed || s.errors ? kExitWrong : 0;
}

}  // namespace

Command sweep_command() {
  return {"sweep", "check and time every config of a sweep; CSV + JSON context", [](CLI::App& app) -> Action {
            auto o = std::make_shared<SweepOptions>();
            o->selection.add(app);
            o->axes.add(app);
            o->timing.add(app, "timed repetitions per config (the median is reported)", "seconds per repetition");
            o->inputs.add(app);
            o->counters.add(app);
            app.add_option("-o,--output", o->output, "CSV file (default results/runs/sweep-DATE-TIME.csv)");
            app.add_flag("--overwrite", o->overwrite, "replace existing output files");
            app.add_option("--jsonl", o->jsonl, "also write the rows as JSON lines to this file");
            return [o](const Invocation& inv) { return sweep(*o, inv); };
          }};
}

}  // namespace cromwell::cli
