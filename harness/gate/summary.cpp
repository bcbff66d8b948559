#include "harness/gate/summary.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace cromwell {
namespace {

std::string value(const GateLine& l, const std::optional<double>& v) {
  if (!v) return "";
  if (l.metric == "time" || l.metric == "config" || l.metric == "status") return human_time(*v);
  return fmt::format("{:.0f}", *v);
}

std::string percent(double ratio) { return fmt::format("{:+.2f} %", (ratio - 1) * 100); }

std::string change(const GateLine& l) {
  if (l.metric == "time") return percent(l.time.ratio.median);
  if (l.baseline && l.candidate && *l.baseline != 0 && l.metric != "config" && l.metric != "status")
    return percent(*l.candidate / *l.baseline);
  return "";
}

std::string interval(const GateLine& l) {
  if (l.metric != "time") return l.metric == "config" || l.metric == "status" ? "" : "exact";
  if (!(l.time.ratio.hi < 1e300)) return "none";
  return fmt::format("{} to {}", percent(l.time.ratio.lo), percent(l.time.ratio.hi));
}

}  // namespace

std::string render_gate(const GateResult& g, TextFormat f) {
  std::size_t regressed = 0, warned = 0, unchanged = 0;
  for (const auto& l : g.lines) {
    regressed += l.gating && (l.decision == Decision::regressed || l.decision == Decision::missing);
    warned += !l.gating && l.decision == Decision::regressed;
    unchanged += l.decision == Decision::unchanged;
  }
  std::string out =
      heading(f, 1,
              g.failed() ? fmt::format("cromwell gate: FAILED, {} regression{}", regressed, regressed == 1 ? "" : "s")
                         : "cromwell gate: passed");
  out += para(f, fmt::format("Baseline `{}`, candidate `{}`: {} configurations measured in both.", g.baseline_path,
                             g.candidate_path, g.overlap));
  for (const auto& r : g.refusals) out += para(f, "Not compared: " + r + ".");

  // With --ab the change is the paired statistic (median of per-round ratios), not the ratio of the two medians.
  Table t{{"config", "metric", "baseline", "candidate", g.interleaved ? "change (paired)" : "change", "95 % interval",
           "decision", "note"},
          {false, false, true, true, true, true, false, false},
          {}};
  for (const auto& l : g.lines) {
    if (l.decision == Decision::unchanged && !g.interleaved) continue;  // with --ab every config is shown
    std::string decision(to_string(l.decision));
    if (l.gating && (l.decision == Decision::regressed || l.decision == Decision::missing))
      decision = "**" + decision + "**";
    else if (!l.gating && l.decision == Decision::regressed)
      decision += " (warning)";
    if (f != TextFormat::md) decision.erase(std::remove(decision.begin(), decision.end(), '*'), decision.end());
    t.rows.push_back(
        {l.key, l.metric, value(l, l.baseline), value(l, l.candidate), change(l), interval(l), decision, l.note});
  }
  if (!t.rows.empty()) out += t.render(f);
  out += note(f, fmt::format("{} configuration-metric pairs unchanged{}", unchanged,
                             warned ? fmt::format("; {} time warning(s) from separate runs", warned) : ""));
  out += "\n";
  const auto& o = g.options;
  out += heading(f, 2, "Decision rule");
  const std::string times = fmt::format(
      "**regressed** when the one-sided lower bound of the slowdown, Holm-adjusted over the configurations, is above "
      "τ/2 = {:g} %; **unchanged** when the 95 % interval lies within ±τ = {:g} %; else **inconclusive** (a "
      "warning, not a failure)",
      o.time.threshold * 50, o.time.threshold * 100);
  if (g.interleaved)
    out += para(f, fmt::format("Times from interleaved rounds: both binaries hold the configuration prepared in a "
                               "worker process each and time one repetition in turn, in ABBA order; the change is "
                               "the median of the per-round log(new / old) with a block-bootstrap 95 % interval, "
                               "rounds added until its half-width is at most τ/4 or the budget is spent. {}; a "
                               "regression fails the gate. A configuration whose new build fails its check or "
                               "crashes where the old one ran regressed.",
                               times));
  else {
    out +=
        para(f, fmt::format("Counts (instructions, simulated misses) are deterministic for one compiler, flags and "
                            "simulator: **regressed** when the candidate exceeds the baseline by more than τc/2 = "
                            "{:g} % and {:g} counts; these fail the gate. Times (the change of the median time per "
                            "call, with a block-bootstrap 95 % interval): {}. Times of two separate runs only warn: "
                            "the host's speed differs from run to run by more than the changes worth catching "
                            "(`gate --ab` interleaves them). A configuration that fails its check in the candidate "
                            "regressed; one missing from it fails the gate{}.",
                            o.count.threshold * 50, o.count.floor, times,
                            o.allow_missing ? " unless allowed (--allow-missing, given)" : " unless --allow-missing"));
    if (o.normalize)
      out += para(f, fmt::format("With --normalize, each repetition's time is divided by that of the calibration "
                                 "kernel run after it (`calib`, swept with --calibrate), and a configuration whose "
                                 "calibration drifted between the runs by less than τ/4 = {:g} % is judged on these "
                                 "normalized times: its regression fails the gate. Where the calibration drifted "
                                 "more, the host changed in a way it may not capture: a warning only.",
                                 o.time.threshold * 25));
  }
  return out;
}

}  // namespace cromwell
