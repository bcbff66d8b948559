#pragma once
// The CI gate's decision for one configuration and metric, and what makes it.
//
// Times. The statistic is the slowdown s = log(candidate time / baseline time) with its standard
// error and degrees of freedom (run/stats.hpp: paired rounds when interleaved, each run's own block
// bootstrap when the runs were separate). With threshold τ, across the k configs of one gate:
//   regressed     the one-sided test of s ≤ log(1 + τ/2) rejects at α = 5 %, Holm-adjusted over the k
//                 configs (the lower bound of the slowdown is above τ/2 for every config it flags);
//   improved      the same test of s ≥ −log(1 + τ/2);
//   unchanged     the two-sided 95 % interval lies within (1 + τ)^±1;
//   inconclusive  anything else: a warning that names what would settle it.
// Holm (1979) controls the chance of flagging any unchanged config at α whatever their number,
// and rejects more than Bonferroni when several configs did change.
//
// Counts (instructions, simulated misses) are deterministic: a change is a change. With threshold
// τc (default 1 %), regressed when the candidate exceeds the baseline by more than
// max(τc/2 × baseline, floor) — half the change to catch, as for times, so that a change of τc
// with a little fixed cost around it is caught — improved when below by as much, else unchanged.
// The floor keeps a count of 3 misses from flagging a change of 1.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run/stats.hpp"

namespace cromwell {

enum class Decision { regressed, improved, unchanged, inconclusive, added, missing };
// "regressed", "improved", "unchanged", "inconclusive", "new", "missing".
std::string_view to_string(Decision d);

struct TimeRule {
  double threshold = 0.05;  // τ
  double alpha = 0.05;      // family-wise error rate of `regressed` (and of `improved`)
};

struct TimeDecision {
  Decision decision = Decision::inconclusive;
  Ratio ratio;             // candidate time / baseline time, with its two-sided 95 % interval
  double p_regressed = 1;  // Holm-adjusted p of "slower by more than τ/2"
  double p_improved = 1;   // Holm-adjusted p of "faster by more than τ/2"
  // For an inconclusive decision: how many times the rounds (or repetitions) would bring the
  // interval's half-width to τ/4 (at the same noise); 0 when the interval is unbounded.
  double more_rounds = 0;
};

// Holm's step-down adjustment of p-values (the same order out as in).
std::vector<double> holm(const std::vector<double>& p);

// One decision per slowdown estimate (log(candidate / baseline) with its se and df), adjusted
// together. An estimate without a finite se is inconclusive.
std::vector<TimeDecision> decide_times(const std::vector<LogEstimate>& slowdowns, const TimeRule& rule);

// Whether an estimate's half-width is at most τ/4 (the point where `--ab` stops adding rounds).
bool settled(const LogEstimate& slowdown, const TimeRule& rule);

struct CountRule {
  double threshold = 0.01;  // τc, relative: changes above τc/2 are decided
  double floor = 64;        // absolute: changes of at most this many counts are unchanged
};

Decision decide_count(double baseline, double candidate, const CountRule& rule);

}  // namespace cromwell
