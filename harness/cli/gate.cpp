// cromwell gate --baseline B.csv --candidate C.csv [--threshold 5%] [--metric NAME ...]
// [--allow-missing] [--normalize] [--summary FILE.md] [--format term|md] [--update-baseline]:
// the CI gate on two results files (gate/runs.hpp, the rule in gate/rule.hpp). Exit 0 when nothing
// regressed, 1 on a regression (or a configuration missing from the candidate), 2 when nothing
// overlaps or an input is unusable. --update-baseline writes the candidate over the baseline
// instead (counts as whole numbers), deliberately.
//
// cromwell gate --ab OLD NEW [filters] [--shape ...] [--set ...] [axes] [--budget S] [--min-time S]:
// the two binaries interleaved, config by config (gate/ab.hpp); times decide.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/cli/options.hpp"
#include "harness/gate/ab.hpp"
#include "harness/gate/runs.hpp"
#include "harness/gate/summary.hpp"
#include "harness/io/context.hpp"
#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"
#include "harness/platform/machine.hpp"

namespace cromwell::cli {
namespace {

struct GateCliOptions {
  std::string baseline, candidate, summary, format = "term";
  std::string threshold = "5%", count_threshold = "1%";
  double count_floor = 64;
  std::vector<std::string> metrics;
  bool allow_missing = false, update = false, normalize = false;
  std::vector<std::string> ab;  // OLD NEW
  double budget = 10, repetition_s = 0.1;
  SelectionOptions selection;
  AxesOptions axes;
  InputOptions inputs;
};

// "5%" or "0.05" → 0.05; the flag is named when the text is neither or is outside (0, 1].
double fraction(const std::string& flag, const std::string& text) {
  std::string t = text;
  const bool pct = !t.empty() && t.back() == '%';
  if (pct) t.pop_back();
  double v = NAN;
  try {
    std::size_t used = 0;
    v = std::stod(t, &used);
    if (used != t.size()) v = NAN;
  } catch (const std::exception&) {
  }
  if (pct) v /= 100;
  if (!(v > 0 && v <= 1))
    throw std::invalid_argument(
        fmt::format("{} {}: expected a fraction in (0, 1] or a percentage such as 5%", flag, text));
  return v;
}

// The candidate's rows and context written as the new baseline (rows through today's writer).
void update_baseline(const ResultsFile& cand, const std::string& path, const std::string& command_line) {
  namespace fs = std::filesystem;
  if (fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
  nlohmann::ordered_json ctx = cand.context.is_object() ? cand.context : nlohmann::ordered_json::object();
  ctx["schema_version"] = kSchemaVersion;
  ctx["baseline"] = {{"from", cand.path}, {"command_line", command_line}};
  const std::string tmp = path + ".tmp";
  {
    auto sink = csv_sink(tmp, cand.columns);
    for (const auto& r : cand.records) sink->write(r);
    sink->finish();
  }
  write_json_file(context_path(path), ctx);
  fs::rename(tmp, path);
}

// The gate on standard output, the Markdown summary to --summary, a warning line for what is
// inconclusive; the exit code.
int conclude(const GateResult& g, const GateCliOptions& o) {
  fmt::print("{}", render_gate(g, parse_text_format(o.format)));
  if (!o.summary.empty()) {
    std::ofstream out(o.summary);
    out << render_gate(g, TextFormat::md);
    out.close();
    if (!out) throw std::runtime_error(fmt::format("--summary {}: could not write it", o.summary));
    fmt::print(stderr, "wrote {}\n", o.summary);
  }
  std::size_t inconclusive = 0;
  for (const auto& l : g.lines) inconclusive += l.decision == Decision::inconclusive;
  if (inconclusive)
    fmt::print(stderr, "warning: {} configuration-metric pair(s) inconclusive; the table says what would settle each\n",
               inconclusive);
  return g.failed() ? kExitWrong : 0;
}

int gate_binaries(const GateCliOptions& o) {
  if (!o.baseline.empty() || !o.candidate.empty())
    throw std::invalid_argument("--ab compares two binaries: give it without --baseline and --candidate");
  if (!(o.repetition_s > 0 && o.repetition_s <= 0.2))
    throw std::invalid_argument(fmt::format(
        "--min-time {}: seconds of one repetition of each side, in (0, 0.2] (longer ones let the host drift)",
        o.repetition_s));
  if (!(o.budget > 0)) throw std::invalid_argument(fmt::format("--budget {}: seconds per config, > 0", o.budget));
  for (const auto& b : o.ab)
    if (!std::filesystem::exists(b)) throw std::invalid_argument(fmt::format("--ab {}: no such file", b));
  set_cache_override(o.selection.caches);
  SweepRequest req;
  o.selection.fill(req);
  o.axes.fill(req, /*given_only=*/false);
  const Plan plan = expand(req);
  std::vector<Config> configs;
  for (const auto& pc : plan.configs) {
    if (pc.status != Status::measured) continue;
    if (pc.variant->child_env && pc.variant->child_env(pc.config.params)) {
      fmt::print(stderr, "skipped {}: it needs {} in its environment\n", pc.config.key(),
                 *pc.variant->child_env(pc.config.params));
      continue;
    }
    configs.push_back(pc.config);
  }
  if (configs.empty()) throw std::invalid_argument("--ab: the filters select no configuration to time");
  AbOptions opt;
  opt.old_binary = o.ab.at(0);
  opt.new_binary = o.ab.at(1);
  o.inputs.fill(opt.measure);
  opt.measure.caches = o.selection.caches;
  opt.measure.counters.backend = "none";
  opt.measure.timing.min_time = o.repetition_s;
  opt.measure.timing.repetitions = 1;
  opt.rule.threshold = fraction("--threshold", o.threshold);
  opt.budget_s = o.budget;
  fmt::print(stderr, "gate --ab: {} config(s), up to {:g} s each; old {}, new {}\n", configs.size(), o.budget,
             opt.old_binary, opt.new_binary);
  const AbRun run = gate_ab(configs, opt, [](const AbConfig& r) {
    if (r.error.empty())
      fmt::print(stderr, "  {}: {} rounds in {:.1f} s\n", r.key, r.old_ns.size(), r.seconds);
    else
      fmt::print(stderr, "  {}: {}\n", r.key, r.error);
  });
  return conclude(run.gate, o);
}

int gate(const GateCliOptions& o, const Invocation& inv) {
  if (!o.ab.empty()) return gate_binaries(o);
  if (o.baseline.empty() || o.candidate.empty())
    throw std::invalid_argument("give --baseline B.csv and --candidate C.csv (two results files), or --ab OLD NEW");
  GateOptions opt;
  opt.time.threshold = fraction("--threshold", o.threshold);
  opt.count.threshold = fraction("--count-threshold", o.count_threshold);
  opt.count.floor = o.count_floor;
  opt.metrics = o.metrics;
  opt.allow_missing = o.allow_missing;
  opt.normalize = o.normalize;
  const ResultsFile cand = read_results(o.candidate);
  if (o.update) {
    update_baseline(cand, o.baseline, inv.command_line);
    fmt::print("wrote {} and {} from {} ({} rows)\n", o.baseline, context_path(o.baseline), o.candidate,
               cand.records.size());
    return 0;
  }
  return conclude(gate_runs(read_results(o.baseline), cand, opt), o);
}

}  // namespace

Command gate_command() {
  return {
      "gate", "the CI gate: a candidate against a baseline (two results files, or two binaries interleaved)",
      [](CLI::App& app) -> Action {
        auto o = std::make_shared<GateCliOptions>();
        app.add_option("--baseline", o->baseline, "the baseline results file (e.g. results/baselines/NAME.csv)");
        app.add_option("--candidate", o->candidate, "the results file of the change under test")
            ->check(CLI::ExistingFile);
        app.add_option("--ab", o->ab,
                       "OLD NEW: two cromwell binaries (or programs built on libcromwell) timed interleaved, config "
                       "by config; times decide")
            ->expected(2)
            ->allow_extra_args(false);
        app.add_option("--threshold", o->threshold,
                       "τ for times: regressed when the slowdown's adjusted lower bound is above τ/2 (5% or 0.05)")
            ->capture_default_str();
        app.add_option("--count-threshold", o->count_threshold,
                       "τc for counts (instructions, simulated misses): an increase above τc/2 regresses (1% or 0.01)")
            ->capture_default_str();
        app.add_option("--count-floor", o->count_floor, "changes of at most this many counts are unchanged")
            ->capture_default_str()
            ->check(CLI::NonNegativeNumber);
        app.add_option("--metric", o->metrics,
                       "judge only these: time, counts (every count), instructions, l1d_misses, … (repeatable)");
        app.add_flag("--allow-missing", o->allow_missing, "configs missing from the candidate do not fail the gate");
        app.add_flag("--normalize", o->normalize,
                     "times divided by their calibration kernel's (both files swept with --calibrate) decide where "
                     "it drifted by less than τ/4");
        app.add_option("--summary", o->summary, "also write a Markdown summary (for a pull-request comment)");
        app.add_option("--format", o->format, "term or md (standard output)")->check(CLI::IsMember({"term", "md"}));
        app.add_flag("--update-baseline", o->update,
                     "write the candidate over the baseline (rows and context) instead of judging it");
        app.add_option("--budget", o->budget, "--ab: seconds per config before rounds stop being added")
            ->capture_default_str();
        app.add_option("--min-time", o->repetition_s, "--ab: seconds of one repetition of each side (≤ 0.2)")
            ->capture_default_str();
        o->selection.add(app);
        o->axes.add(app);
        o->inputs.add(app);
        app.footer(
            "Exit status: 0 nothing regressed; 1 a count regressed (with --ab: a time), a config failed its check or "
            "is missing from the candidate; 2 nothing overlaps or an input is unusable. Times of separate runs only "
            "warn, unless --normalize and their calibration drifted by less than τ/4.");
        return [o](const Invocation& inv) { return gate(*o, inv); };
      }};
}

}  // namespace cromwell::cli
