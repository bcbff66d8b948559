#include "harness/run/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {
namespace {

// The median of v, reordering v.
double median_in_place(std::vector<double>& v) {
  const std::size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2) return *mid;
  return 0.5 * (*mid + *std::max_element(v.begin(), mid));
}

// mirrored_median of values x[i] measured in rounds round[i]: a resample remembers which round
// each value came from. A resample may lack one half (only when every block drawn wraps from the
// last round to the first of an odd-length series): the other half's median then stands in.
double mirrored_median_of(const std::vector<double>& x, const std::vector<std::size_t>& round,
                          std::vector<double>& forward, std::vector<double>& reverse) {
  forward.clear();
  reverse.clear();
  for (std::size_t i = 0; i < x.size(); ++i) (round[i] % 2 ? reverse : forward).push_back(x[i]);
  if (forward.empty()) return median_in_place(reverse);
  if (reverse.empty()) return median_in_place(forward);
  return 0.5 * (median_in_place(forward) + median_in_place(reverse));
}

// The standard error of mirrored_median from a circular block bootstrap of the rounds: each
// resample strings together blocks of `len` consecutive rounds, each starting at a uniformly drawn
// round and wrapping past the last to the first, cut to x.size() rounds; every round keeps its
// direction (forward or reverse). The standard error is the interquartile range of the
// resampled medians ÷ 1.349 (stats.hpp says why not their standard deviation).
// `plain`: the resampled statistic is the median of the series (its rounds' directions ignored).
double block_bootstrap_se(const std::vector<double>& x, std::size_t len, const IntervalOptions& opt,
                          bool plain = false) {
  const std::size_t n = x.size();
  SplitMix64 rng{opt.seed};
  std::vector<double> y(n), forward, reverse;
  std::vector<std::size_t> from(n);
  std::vector<double> medians(static_cast<std::size_t>(opt.resamples));
  for (int b = 0; b < opt.resamples; ++b) {
    for (std::size_t i = 0; i < n;) {
      const std::size_t start = rng.below(n);
      for (std::size_t k = 0; k < len && i < n; ++k, ++i) {
        from[i] = (start + k) % n;
        y[i] = x[from[i]];
      }
    }
    medians[static_cast<std::size_t>(b)] = plain ? median_in_place(y) : mirrored_median_of(y, from, forward, reverse);
  }
  std::sort(medians.begin(), medians.end());
  const std::size_t q = medians.size() / 4;  // the quartiles, symmetric so that swapping A and B mirrors the interval
  return (medians[medians.size() - 1 - q] - medians[q]) / 1.349;
}

}  // namespace

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  return median_in_place(v);
}

void summarize(Record& r, double flops, double bytes) {
  if (r.samples_ns.empty()) return;
  r.repetitions = static_cast<int>(r.samples_ns.size());
  const double med = median(r.samples_ns);
  r.time_ns = med;
  r.time_ns_min = *std::min_element(r.samples_ns.begin(), r.samples_ns.end());
  // err% is the median absolute percentage error of the repetitions around their median (MdAPE).
  std::vector<double> ape;
  for (double t : r.samples_ns) ape.push_back(med > 0 ? 100.0 * std::abs(t - med) / med : 0.0);
  r.err_pct = median(ape);
  r.unstable = *r.err_pct > kUnstablePct;
  if (med > 0) {
    if (flops > 0) r.gflops = flops / med;  // flops per ns = GFLOP/s
    if (bytes > 0) r.gbps = bytes / med;    // bytes per ns = GB/s
  }
}

std::vector<std::size_t> round_order(std::size_t configs, std::size_t round) {
  std::vector<std::size_t> order(configs);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (round % 2) std::reverse(order.begin(), order.end());
  return order;
}

std::vector<double> log_ratios(const std::vector<double>& ref_ns, const std::vector<double>& ns) {
  if (ref_ns.size() != ns.size())
    throw std::invalid_argument(
        fmt::format("paired ratios need one time per round from each: {} and {} times", ref_ns.size(), ns.size()));
  std::vector<double> out(ns.size());
  for (std::size_t r = 0; r < ns.size(); ++r) {
    if (!(ref_ns[r] > 0) || !(ns[r] > 0))
      throw std::invalid_argument(fmt::format("round {}: times must be positive ({} ns, {} ns)", r, ref_ns[r], ns[r]));
    out[r] = std::log(ref_ns[r] / ns[r]);
  }
  return out;
}

double mirrored_median(const std::vector<double>& per_round) {
  if (per_round.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::size_t> round(per_round.size());
  std::iota(round.begin(), round.end(), std::size_t{0});
  std::vector<double> forward, reverse;
  return mirrored_median_of(per_round, round, forward, reverse);
}

std::size_t block_length(std::size_t rounds) {
  // rounds^(1/3), rounded to whole pairs of mirrored rounds.
  const auto pairs = std::lround(std::cbrt(static_cast<double>(rounds)) / 2);
  return 2 * static_cast<std::size_t>(std::max(1L, pairs));
}

double t_quantile(double p, double df) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument(fmt::format("t quantile: p = {} must be in (0, 1)", p));
  if (!(df >= 1)) throw std::invalid_argument(fmt::format("t quantile: {} degrees of freedom, need ≥ 1", df));
  if (p < 0.5) return -t_quantile(1 - p, df);
  // With t = √df·tan θ, the density of t over [0, t] becomes K·cos^(df−1) θ over [0, θ], bounded
  // and smooth for df ≥ 1: integrate it upwards (Simpson per step) until it holds p − ½, then
  // finish inside the last step with its local density. Beyond 1000 degrees of freedom the
  // quantile moves by 0.1–0.3 %, and the peak of cos^(df−1) would need finer steps.
  df = std::min(df, 1000.0);
  const double k = std::exp(std::lgamma((df + 1) / 2) - std::lgamma(df / 2)) / std::sqrt(std::numbers::pi);
  const auto g = [&](double theta) { return k * std::pow(std::cos(theta), df - 1); };
  constexpr int kSteps = 1 << 12;
  const double h = std::numbers::pi / 2 / kSteps, target = p - 0.5;
  double cum = 0, theta = 0, g0 = g(0);
  for (int i = 0; i < kSteps; ++i, theta += h) {
    const double g1 = g(theta + h), step = h / 6 * (g0 + 4 * g(theta + h / 2) + g1);
    if (cum + step >= target) {
      theta += h * (target - cum) / step;
      break;
    }
    cum += step;
    g0 = g1;
  }
  return std::sqrt(df) * std::tan(std::min(theta, std::numbers::pi / 2 * (1 - 1e-12)));
}

double t_cdf(double t, double df) {
  if (!(df >= 1)) throw std::invalid_argument(fmt::format("t cdf: {} degrees of freedom, need ≥ 1", df));
  if (std::isnan(t)) return t;
  if (t < 0) return 1 - t_cdf(-t, df);
  // As in t_quantile: with t = √df·tan θ the density over [0, θ] is K·cos^(df−1) θ; Simpson's rule.
  df = std::min(df, 1000.0);
  const double k = std::exp(std::lgamma((df + 1) / 2) - std::lgamma(df / 2)) / std::sqrt(std::numbers::pi);
  const double top = std::atan(t / std::sqrt(df));
  constexpr int kSteps = 1 << 12;
  const double h = top / kSteps;
  double sum = 0;
  for (int i = 0; i < kSteps; ++i) {
    const double a = i * h;
    sum +=
        std::pow(std::cos(a), df - 1) + 4 * std::pow(std::cos(a + h / 2), df - 1) + std::pow(std::cos(a + h), df - 1);
  }
  return std::min(1.0, 0.5 + k * h / 6 * sum);
}

Ratio LogEstimate::interval(double level) const {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  if (std::isnan(log)) return {nan, nan, nan};
  if (!(df >= 1) || !std::isfinite(se)) return {std::exp(log), 0, inf};
  const double half = t_quantile((1 + level) / 2, df) * se;
  return {std::exp(log), std::exp(log - half), std::exp(log + half)};
}

LogEstimate paired_estimate(const std::vector<double>& per_round, const IntervalOptions& opt) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  if (per_round.empty()) return {nan, nan, 0};
  if (opt.resamples < 4) throw std::invalid_argument(fmt::format("resamples {}: must be ≥ 4", opt.resamples));
  const double m = mirrored_median(per_round);
  const std::size_t n = per_round.size();
  if (n < kMinRounds) return {m, inf, 0};
  const std::size_t len = block_length(n);
  return {m, block_bootstrap_se(per_round, len, opt), static_cast<double>(n) / static_cast<double>(len) - 1};
}

LogEstimate change_estimate(const std::vector<double>& base_ns, const std::vector<double>& ns,
                            const IntervalOptions& opt) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  if (base_ns.empty() || ns.empty()) return {nan, nan, 0};
  std::vector<double> a, b;
  for (const double t : base_ns) a.push_back(std::log(t));
  for (const double t : ns) b.push_back(std::log(t));
  for (const auto* v : {&a, &b})
    for (const double x : *v)
      if (!std::isfinite(x)) throw std::invalid_argument("times must be positive and finite");
  const double m = median(a) - median(b);
  if (a.size() < kMinRounds || b.size() < kMinRounds) return {m, inf, 0};
  const std::size_t la = block_length(a.size()), lb = block_length(b.size());
  const double se_a = block_bootstrap_se(a, la, opt, true), se_b = block_bootstrap_se(b, lb, opt, true);
  const double blocks = std::min(double(a.size()) / la, double(b.size()) / lb);
  return {m, std::hypot(se_a, se_b), blocks - 1};
}

Ratio median_ratio(const std::vector<double>& per_round, const IntervalOptions& opt) {
  if (!(opt.level > 0 && opt.level < 1))
    throw std::invalid_argument(fmt::format("level {}: must be in (0, 1)", opt.level));
  return paired_estimate(per_round, opt).interval(opt.level);
}

Ratio paired_speedup(const std::vector<double>& ref_ns, const std::vector<double>& ns, const IntervalOptions& opt) {
  return median_ratio(log_ratios(ref_ns, ns), opt);
}

Ratio run_change(const std::vector<double>& base_ns, const std::vector<double>& ns, const IntervalOptions& opt) {
  return change_estimate(base_ns, ns, opt).interval(opt.level);
}

}  // namespace cromwell
