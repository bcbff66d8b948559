#include "harness/gate/rule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cromwell {

std::string_view to_string(Decision d) {
  switch (d) {
    case Decision::regressed:
      return "regressed";
    case Decision::improved:
      return "improved";
    case Decision::unchanged:
      return "unchanged";
    case Decision::inconclusive:
      return "inconclusive";
    case Decision::added:
      return "new";
    case Decision::missing:
      return "missing";
  }
  return "";
}

std::vector<double> holm(const std::vector<double>& p) {
  const std::size_t k = p.size();
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> out(k);
  double running = 0;  // adjusted p-values never decrease along the sorted order
  for (std::size_t i = 0; i < k; ++i) {
    running = std::max(running, std::min(1.0, static_cast<double>(k - i) * p[order[i]]));
    out[order[i]] = running;
  }
  return out;
}

namespace {

bool bounded(const LogEstimate& e) { return std::isfinite(e.log) && std::isfinite(e.se) && e.se >= 0 && e.df >= 1; }

// P(estimate this far above `edge` | the true slowdown is `edge`): one-sided t test.
double p_above(const LogEstimate& e, double edge) {
  if (!bounded(e)) return 1;
  if (e.se == 0) return e.log > edge ? 0 : 1;
  return 1 - t_cdf((e.log - edge) / e.se, e.df);
}

}  // namespace

bool settled(const LogEstimate& s, const TimeRule& rule) {
  return bounded(s) && t_quantile(0.975, s.df) * s.se <= std::log1p(rule.threshold) / 4;
}

std::vector<TimeDecision> decide_times(const std::vector<LogEstimate>& slowdowns, const TimeRule& rule) {
  const double half = std::log1p(rule.threshold / 2), full = std::log1p(rule.threshold);
  std::vector<double> up, down;
  for (const auto& s : slowdowns) {
    up.push_back(p_above(s, half));
    down.push_back(p_above({-s.log, s.se, s.df}, half));
  }
  const std::vector<double> up_adj = holm(up), down_adj = holm(down);
  std::vector<TimeDecision> out;
  for (std::size_t i = 0; i < slowdowns.size(); ++i) {
    const LogEstimate& s = slowdowns[i];
    TimeDecision d;
    d.ratio = s.interval(0.95);
    d.p_regressed = up_adj[i];
    d.p_improved = down_adj[i];
    if (bounded(s) && d.p_regressed <= rule.alpha)
      d.decision = Decision::regressed;
    else if (bounded(s) && d.p_improved <= rule.alpha)
      d.decision = Decision::improved;
    else if (bounded(s) && std::log(d.ratio.hi) < full && std::log(d.ratio.lo) > -full)
      d.decision = Decision::unchanged;
    else {
      d.decision = Decision::inconclusive;
      if (bounded(s) && s.se > 0) {
        const double width = t_quantile(0.975, s.df) * s.se;
        d.more_rounds = std::pow(width / (full / 4), 2);
      }
    }
    out.push_back(d);
  }
  return out;
}

Decision decide_count(double baseline, double candidate, const CountRule& rule) {
  const double allowed = std::max(rule.threshold / 2 * std::fabs(baseline), rule.floor);
  if (candidate - baseline > allowed) return Decision::regressed;
  if (baseline - candidate > allowed) return Decision::improved;
  return Decision::unchanged;
}

}  // namespace cromwell
