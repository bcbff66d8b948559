#include "harness/gate/runs.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/gate/fingerprint.hpp"
#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::optional<double> metric_of(const Record& r, const std::string& name) {
  for (const auto& m : r.metrics)
    if (m.name == name) return m.value;
  return std::nullopt;
}

int rank(const GateLine& l) {
  switch (l.decision) {
    case Decision::regressed:
      return l.gating ? 0 : 1;
    case Decision::missing:
      return 2;
    case Decision::inconclusive:
      return 3;
    case Decision::improved:
      return 4;
    case Decision::added:
      return 5;
    case Decision::unchanged:
      return 6;
  }
  return 7;
}

// A config's times divided, repetition by repetition, by its calibration's (gate --normalize), and
// how far the calibration drifted from the baseline to the candidate: log(candidate / baseline) of
// the calibration's median; empty, with the reason, when the files lack a common calibration.
struct Normalized {
  std::optional<double> drift;
  bool steady = false;  // the drift is below τ/4: the normalized times may decide
  std::vector<double> base, candidate;
  std::string note;
};

Normalized normalized(const Record& b, const Record& c, double threshold) {
  Normalized n;
  const auto usable = [](const Record& r) {
    return !r.calib.empty() && !r.calib_ns.empty() && r.calib_ns.size() == r.samples_ns.size();
  };
  if (!usable(b) || !usable(c)) {
    n.note = fmt::format("not normalized: no calibration in the {} (sweep it with --calibrate)",
                         usable(b) ? "candidate" : "baseline");
    return n;
  }
  if (b.calib != c.calib) {
    n.note = fmt::format("not normalized: calibrated by {} in the baseline, {} in the candidate", b.calib, c.calib);
    return n;
  }
  n.drift = -change_estimate(b.calib_ns, c.calib_ns).log;
  for (std::size_t i = 0; i < b.samples_ns.size(); ++i) n.base.push_back(b.samples_ns[i] / b.calib_ns[i]);
  for (std::size_t i = 0; i < c.samples_ns.size(); ++i) n.candidate.push_back(c.samples_ns[i] / c.calib_ns[i]);
  const double pct = std::expm1(*n.drift) * 100;
  n.steady = std::abs(*n.drift) < std::log1p(threshold / 4);
  n.note = n.steady ? fmt::format("normalized by {} (drift {:+.2f} %)", b.calib, pct)
                    : fmt::format("{} drifted {:+.2f} % (beyond τ/4 = {:g} %): the host changed, a warning only",
                                  b.calib, pct, threshold * 25);
  return n;
}

}  // namespace

bool is_count_metric(const std::string& name) {
  return name == "instructions" || ends_with(name, "_misses") || ends_with(name, "_accesses") ||
         ends_with(name, "_fills");
}

bool GateResult::failed() const {
  for (const auto& l : lines)
    if (l.gating && (l.decision == Decision::regressed || l.decision == Decision::missing)) return true;
  return false;
}

GateResult gate_runs(const ResultsFile& base, const ResultsFile& cand, const GateOptions& opt) {
  GateResult g;
  g.baseline_path = base.path;
  g.candidate_path = cand.path;
  g.options = opt;
  const std::set<std::string> wanted(opt.metrics.begin(), opt.metrics.end());
  auto want = [&](const std::string& m) {
    return wanted.empty() || wanted.count(m) || (wanted.count("counts") && is_count_metric(m));
  };

  const auto counts_differ = differences(counts_fingerprint(base.context), counts_fingerprint(cand.context));
  const auto times_differ = differences(times_fingerprint(base.context), times_fingerprint(cand.context));
  if (!counts_differ.empty())
    g.refusals.push_back("counts not compared, their fingerprint differs: " + join(counts_differ, "; "));
  if (!times_differ.empty())
    g.refusals.push_back("times not compared, the machines differ: " + join(times_differ, "; "));

  std::map<std::string, const Record*> in_candidate;
  for (const auto& r : cand.records)
    if (r.config.kernel != "noop") in_candidate.emplace(r.config.key(), &r);
  std::set<std::string> seen, metrics_found;
  std::vector<std::size_t> time_lines;
  std::vector<LogEstimate> slowdowns;
  std::size_t calibrated = 0;     // time lines with a calibration in both files
  std::set<std::size_t> drifted;  // indices into time_lines whose calibration drifted beyond τ/4
  for (const auto& b : base.records) {
    if (b.config.kernel == "noop" || b.status != Status::measured) continue;
    const std::string key = b.config.key();
    seen.insert(key);
    const auto it = in_candidate.find(key);
    const Record* found = it == in_candidate.end() ? nullptr : it->second;
    auto status_line = [&](const char* metric, Decision d, bool gating, std::string note) {
      g.lines.push_back({key, metric, d, b.time_ns, std::nullopt, {}, gating, std::move(note)});
    };
    if (found && (found->status == Status::failed || found->status == Status::error)) {
      status_line("status", Decision::regressed, true,
                  fmt::format("{} in the candidate: {}", to_string(found->status), found->reason));
      ++g.overlap;
      continue;
    }
    if (!found || found->status != Status::measured) {
      status_line("config", Decision::missing, !opt.allow_missing,
                  found ? fmt::format("{} in the candidate: {}", to_string(found->status), found->reason)
                        : "measured in the baseline, absent from the candidate");
      continue;
    }
    const Record& c = *found;
    ++g.overlap;
    metrics_found.insert("time");
    if (want("time") && times_differ.empty() && !b.samples_ns.empty() && !c.samples_ns.empty()) {
      std::string note;
      bool gating = false;
      LogEstimate speedup = change_estimate(b.samples_ns, c.samples_ns);
      if (opt.normalize) {
        const Normalized n = normalized(b, c, opt.time.threshold);
        note = n.note;
        if (n.drift) {
          ++calibrated;
          gating = n.steady;
          if (gating)
            speedup = change_estimate(n.base, n.candidate);
          else
            drifted.insert(time_lines.size());
        }
      }
      slowdowns.push_back({-speedup.log, speedup.se, speedup.df});
      time_lines.push_back(g.lines.size());
      g.lines.push_back({key, "time", Decision::inconclusive, b.time_ns, c.time_ns, {}, gating, note});
    }
    if (!counts_differ.empty() || b.counters_source != c.counters_source) continue;
    for (const auto& m : b.metrics) {
      if (!is_count_metric(m.name) || !m.value) continue;
      const auto theirs = metric_of(c, m.name);
      if (!theirs) continue;
      metrics_found.insert(m.name);
      metrics_found.insert("counts");
      if (!want(m.name)) continue;
      g.lines.push_back({key, m.name, decide_count(*m.value, *theirs, opt.count), *m.value, *theirs, {}, true, ""});
    }
  }
  for (const auto& [key, r] : in_candidate)
    if (!seen.count(key) && r->status == Status::measured)
      g.lines.push_back({key, "config", Decision::added, std::nullopt, r->time_ns, {}, false, "not in the baseline"});

  if (g.overlap == 0)
    throw std::invalid_argument(
        fmt::format("no configuration was measured both in {} and in {}: nothing to compare", base.path, cand.path));
  for (const auto& m : wanted)
    if (!metrics_found.count(m))
      throw std::invalid_argument(
          fmt::format("--metric {}: no configuration has it in both files (they have: {}){}", m,
                      join(std::vector<std::string>(metrics_found.begin(), metrics_found.end()), ", "),
                      g.refusals.empty() ? "" : "; " + join(g.refusals, "; ")));

  if (opt.normalize && calibrated == 0 && want("time"))
    throw std::invalid_argument(fmt::format(
        "--normalize: no configuration has calibration samples (calib, calib_ns) of one kernel in both files{}: "
        "sweep both with --calibrate",
        times_differ.empty() ? "" : " (" + g.refusals.back() + ")"));
  const auto decided = decide_times(slowdowns, opt.time);
  for (std::size_t i = 0; i < decided.size(); ++i) {
    GateLine& l = g.lines[time_lines[i]];
    l.time = decided[i];
    l.decision = decided[i].decision;
    // The host changed between the runs: raw times that agree do not show that the code did not.
    if (drifted.count(i) && l.decision == Decision::unchanged) l.decision = Decision::inconclusive;
    if (l.decision == Decision::inconclusive && !drifted.count(i)) {
      const std::string more =
          decided[i].more_rounds > 0
              ? fmt::format("about {:.0f}× the repetitions would settle it", std::ceil(decided[i].more_rounds))
              : fmt::format("fewer than {} repetitions on a side: no interval", kMinRounds);
      l.note = l.note.empty() ? more : l.note + "; " + more;
    }
  }
  sort_lines(g);
  return g;
}

void sort_lines(GateResult& g) {
  std::stable_sort(g.lines.begin(), g.lines.end(),
                   [](const GateLine& a, const GateLine& b) { return rank(a) < rank(b); });
}

}  // namespace cromwell
