// cromwell gate --baseline B.csv --candidate C.csv [--threshold 5%] [--metric NAME ...]
// [--allow-missing] [--summary FILE.md] [--format term|md] [--update-baseline]:
// the CI gate on two results files (gate/runs.hpp, the rule in gate/rule.hpp). Exit 0 when nothing
// regressed, 1 on a regression (or a configuration missing from the candidate), 2 when nothing
// overlaps or an input is unusable. --update-baseline writes the candidate over the baseline
// instead (counts as whole numbers), deliberately.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "harness/cli/command.hpp"
#include "harness/gate/runs.hpp"
#include "harness/gate/summary.hpp"
#include "harness/io/context.hpp"
#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"

namespace cromwell::cli {
namespace {

struct GateCliOptions {
  std::string baseline, candidate, summary, format = "term";
  std::string threshold = "5%", count_threshold = "1%";
  double count_floor = 64;
  std::vector<std::string> metrics;
  bool allow_missing = false, update = false;
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

int gate(const GateCliOptions& o, const Invocation& inv) {
  GateOptions opt;
  opt.time.threshold = fraction("--threshold", o.threshold);
  opt.count.threshold = fraction("--count-threshold", o.count_threshold);
  opt.count.floor = o.count_floor;
  opt.metrics = o.metrics;
  opt.allow_missing = o.allow_missing;
  const ResultsFile cand = read_results(o.candidate);
  if (o.update) {
    update_baseline(cand, o.baseline, inv.command_line);
    fmt::print("wrote {} and {} from {} ({} rows)\n", o.baseline, context_path(o.baseline), o.candidate,
               cand.records.size());
    return 0;
  }
  const ResultsFile base = read_results(o.baseline);
  const GateResult g = gate_runs(base, cand, opt);
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

}  // namespace

Command gate_command() {
  return {
      "gate", "the CI gate: a candidate results file against a baseline, per config and metric; exit 1 on a regression",
      [](CLI::App& app) -> Action {
        auto o = std::make_shared<GateCliOptions>();
        app.add_option("--baseline", o->baseline, "the baseline results file (e.g. results/baselines/NAME.csv)")
            ->required();
        app.add_option("--candidate", o->candidate, "the results file of the change under test")
            ->required()
            ->check(CLI::ExistingFile);
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
        app.add_option("--summary", o->summary, "also write a Markdown summary (for a pull-request comment)");
        app.add_option("--format", o->format, "term or md (standard output)")->check(CLI::IsMember({"term", "md"}));
        app.add_flag("--update-baseline", o->update,
                     "write the candidate over the baseline (rows and context) instead of judging it");
        app.footer(
            "Exit status: 0 nothing regressed; 1 a count regressed, a config failed its check or is missing "
            "from the candidate; 2 nothing overlaps or an input is unusable. Times of separate runs only warn.");
        return [o](const Invocation& inv) { return gate(*o, inv); };
      }};
}

}  // namespace cromwell::cli
