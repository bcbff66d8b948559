// The statistics of compare: median, mirrored round order, the balanced median of per-round log
// ratios and its block-bootstrap interval, checked on fixed numbers and on seeded simulations of a
// drifting host (never on live timing).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "harness/run/compare.hpp"
#include "harness/run/stats.hpp"

using namespace cromwell;

namespace {

// The statistics' own deterministic generator, with Box–Muller normals for the synthetic hosts.
struct Rng : SplitMix64 {
  double normal() {
    const double u = uniform(), v = uniform();
    return std::sqrt(-2 * std::log(1 - u)) * std::cos(2 * std::numbers::pi * v);
  }
};

// A host whose speed drifts slowly: log time = drift(slot) + noise, with the drift a sine of
// `amplitude` (log scale) and a period of `period` measurements at a random phase. One
// measurement takes a slot; at ~0.3 s a slot, 0.1 and 200 slots are ±10 % over a minute.
struct Host {
  double amplitude = 0.1, period = 200, noise = 0.005;
  double place = 0;  // added to the log time of the second config of a round (an order effect)
};

// Times of two configs (B's true speed-up over A is `speedup`) over `rounds` rounds, measured in
// mirrored order (round_order) or, as compare used to, always A then B.
struct Series {
  std::vector<double> a, b;
};
Series simulate(const Host& h, std::size_t rounds, bool mirrored, double speedup, std::uint64_t seed) {
  Rng rng{seed};
  const double phase = 2 * std::numbers::pi * rng.uniform();
  Series s{std::vector<double>(rounds), std::vector<double>(rounds)};
  std::size_t slot = 0;
  for (std::size_t r = 0; r < rounds; ++r) {
    const auto order = round_order(2, mirrored ? r : 0);
    for (std::size_t place = 0; place < 2; ++place, ++slot) {
      const std::size_t c = order[place];
      const double log_t = h.amplitude * std::sin(2 * std::numbers::pi * slot / h.period + phase) +
                           h.noise * rng.normal() + (place == 1 ? h.place : 0) - (c == 1 ? std::log(speedup) : 0);
      (c == 0 ? s.a : s.b)[r] = 1e6 * std::exp(log_t);
    }
  }
  return s;
}

// What compare reported before: the median of per-round ratios with the order-statistics
// interval of independent draws (ranks n/2 ∓ 0.98·√n).
Ratio order_statistics_interval(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  Ratio r;
  r.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  const double half = 0.98 * std::sqrt(double(n));
  const auto j = static_cast<std::ptrdiff_t>(std::floor(n / 2.0 - half));
  const auto k = static_cast<std::ptrdiff_t>(std::ceil(n / 2.0 + half));
  r.lo = v[std::clamp<std::ptrdiff_t>(j, 0, n - 1)];
  r.hi = v[std::clamp<std::ptrdiff_t>(k - 1, 0, n - 1)];
  return r;
}

bool covers(const Ratio& r, double x) { return r.lo <= x && x <= r.hi; }

struct Coverage {
  int mirrored = 0, old = 0, excludes_one = 0;  // how many simulations did what
};
Coverage coverage(const Host& h, std::size_t rounds, double speedup, int sims) {
  Coverage c;
  for (int i = 0; i < sims; ++i) {
    const auto seed = 1000 + static_cast<std::uint64_t>(i);
    const Series m = simulate(h, rounds, true, speedup, seed);
    const Ratio now = paired_speedup(m.a, m.b);
    c.mirrored += covers(now, speedup);
    c.excludes_one += !covers(now, 1.0);
    const Series o = simulate(h, rounds, false, speedup, seed);
    std::vector<double> ratios;
    for (std::size_t r = 0; r < rounds; ++r) ratios.push_back(o.a[r] / o.b[r]);
    c.old += covers(order_statistics_interval(ratios), speedup);
  }
  return c;
}

}  // namespace

TEST_CASE("median of odd, even, unsorted and tied samples") {
  CHECK(median({3.0}) == 3.0);
  CHECK(median({5.0, 1.0, 3.0}) == 3.0);
  CHECK(median({4.0, 1.0, 3.0, 2.0}) == 2.5);
  CHECK(median({2.0, 2.0, 2.0, 9.0}) == 2.0);
  CHECK(median({-1.0, 7.0}) == 3.0);
  CHECK(std::isnan(median({})));
}

TEST_CASE("rounds alternate forward and mirrored order") {
  CHECK(round_order(2, 0) == std::vector<std::size_t>{0, 1});
  CHECK(round_order(2, 1) == std::vector<std::size_t>{1, 0});
  CHECK(round_order(2, 2) == std::vector<std::size_t>{0, 1});
  CHECK(round_order(3, 0) == std::vector<std::size_t>{0, 1, 2});
  CHECK(round_order(3, 7) == std::vector<std::size_t>{2, 1, 0});
  CHECK(round_order(1, 1) == std::vector<std::size_t>{0});
  // Over a pair of rounds every config sits at the same mean place, so linear drift cancels.
  for (std::size_t k = 1; k <= 5; ++k) {
    const auto f = round_order(k, 0), r = round_order(k, 1);
    for (std::size_t place = 0; place < k; ++place) CHECK(f[place] + r[place] == k - 1);
  }
}

TEST_CASE("per-round log ratios, and what they refuse") {
  const auto x = log_ratios({200, 100, 50}, {100, 100, 100});
  REQUIRE(x.size() == 3);
  CHECK(x[0] == Approx(std::log(2.0)));
  CHECK(x[1] == 0.0);
  CHECK(x[2] == Approx(-std::log(2.0)));
  CHECK_THROWS_AS(log_ratios({1, 2}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(log_ratios({1, 0}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(log_ratios({1, 1}, {-1, 1}), std::invalid_argument);
}

TEST_CASE("the mirrored median cancels a bias that flips sign with the round's direction") {
  // +c in forward rounds, −c in reverse ones, around 0.1: a plain median lands on one hump.
  std::vector<double> x;
  for (int r = 0; r < 9; ++r) x.push_back(0.1 + (r % 2 ? -0.03 : 0.03) + 0.001 * (r % 3));
  CHECK(mirrored_median(x) == Approx(0.1 + 0.001).margin(1e-12));
  CHECK(median(x) > 0.12);  // five forward rounds of nine: the plain median sits on their hump
  CHECK(mirrored_median({0.25}) == 0.25);
  CHECK(mirrored_median({0.2, 0.4}) == Approx(0.3));
  CHECK(std::isnan(mirrored_median({})));
}

TEST_CASE("bootstrap blocks hold whole mirrored pairs and grow with the number of rounds") {
  CHECK(block_length(1) == 2);
  CHECK(block_length(15) == 2);
  CHECK(block_length(26) == 2);
  CHECK(block_length(27) == 4);
  CHECK(block_length(125) == 6);
  std::size_t prev = 0;
  for (std::size_t n = 1; n < 2000; ++n) {
    const std::size_t l = block_length(n);
    CHECK(l % 2 == 0);
    CHECK(l >= prev);
    prev = l;
  }
}

TEST_CASE("Student t quantiles match the tables") {
  CHECK(t_quantile(0.975, 1) == Approx(12.7062).epsilon(1e-4));
  CHECK(t_quantile(0.975, 2) == Approx(4.3027).epsilon(1e-4));
  CHECK(t_quantile(0.975, 3) == Approx(3.1824).epsilon(1e-4));
  CHECK(t_quantile(0.975, 6) == Approx(2.4469).epsilon(1e-4));
  CHECK(t_quantile(0.975, 10) == Approx(2.2281).epsilon(1e-4));
  CHECK(t_quantile(0.975, 30) == Approx(2.0423).epsilon(1e-4));
  CHECK(t_quantile(0.995, 5) == Approx(4.0321).epsilon(1e-4));
  CHECK(t_quantile(0.95, 20) == Approx(1.7247).epsilon(1e-4));
  CHECK(t_quantile(0.975, 1e6) == Approx(1.96).epsilon(2e-3));
  CHECK(t_quantile(0.025, 6) == Approx(-2.4469).epsilon(1e-4));
  CHECK(t_quantile(0.5, 4) == Approx(0).margin(1e-9));
  CHECK(t_quantile(0.975, 6.5) < t_quantile(0.975, 6));
  CHECK(t_quantile(0.975, 6.5) > t_quantile(0.975, 7));
  CHECK_THROWS_AS(t_quantile(0.975, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(t_quantile(1.0, 3), std::invalid_argument);
}

TEST_CASE("too few rounds give an unbounded interval") {
  const double inf = std::numeric_limits<double>::infinity();
  const Ratio none = median_ratio({});
  CHECK(std::isnan(none.median));
  CHECK(std::isnan(none.lo));
  CHECK(std::isnan(none.hi));
  const Ratio one = paired_speedup({110}, {100});
  CHECK(one.median == Approx(1.1));
  CHECK(one.lo == 0);
  CHECK(one.hi == inf);
  const Ratio two = paired_speedup({110, 90}, {100, 100});
  CHECK(two.median == Approx(std::sqrt(1.1 * 0.9)));
  CHECK(two.lo == 0);
  CHECK(two.hi == inf);
  const Ratio three = paired_speedup({110, 90, 100}, {100, 100, 100});
  CHECK(three.hi == inf);
  const Ratio four = paired_speedup({110, 90, 100, 104}, {100, 100, 100, 100});
  CHECK(four.lo > 0);
  CHECK(std::isfinite(four.hi));
  CHECK(four.lo <= four.median);
  CHECK(four.median <= four.hi);
}

TEST_CASE("equal ratios in every round give a point interval") {
  const Ratio same = paired_speedup(std::vector<double>(12, 500), std::vector<double>(12, 500));
  CHECK(same.median == 1.0);
  CHECK(same.lo == 1.0);
  CHECK(same.hi == 1.0);
  const Ratio faster = paired_speedup(std::vector<double>(12, 105), std::vector<double>(12, 100));
  CHECK(faster.median == Approx(1.05));
  CHECK(faster.lo == Approx(1.05));
  CHECK(faster.hi == Approx(1.05));
}

TEST_CASE("the interval is reproducible and brackets the median") {
  const Series s = simulate(Host{}, 15, true, 1.0, 7);
  const Ratio a = paired_speedup(s.a, s.b), b = paired_speedup(s.a, s.b);
  CHECK(a.median == b.median);
  CHECK(a.lo == b.lo);
  CHECK(a.hi == b.hi);
  CHECK(a.lo < a.median);
  CHECK(a.median < a.hi);
  // Another seed draws other resamples: the interval moves a little, not the median.
  IntervalOptions other;
  other.seed = 1;
  const Ratio c = paired_speedup(s.a, s.b, other);
  CHECK(c.median == a.median);
  CHECK(std::log(c.hi / c.lo) == Approx(std::log(a.hi / a.lo)).epsilon(0.1));
  // A wider level gives a wider interval.
  IntervalOptions wide;
  wide.level = 0.99;
  const Ratio w = paired_speedup(s.a, s.b, wide);
  CHECK(w.lo < a.lo);
  CHECK(w.hi > a.hi);
}

TEST_CASE("an A/A comparison on a drifting host covers 1 about 95% of the time") {
  // A slow drift of ±10 % over about a minute plus 0.5 % noise: measured A B every round, the drift between
  // A and B biases every round the same way, and the order-statistics interval of independent
  // rounds misses 1 far more often than 5 %. Mirrored rounds and the block-bootstrap interval
  // keep close to the promised 95 %.
  constexpr int kSims = 400;
  for (std::size_t rounds : {16, 30}) {
    const Coverage c = coverage(Host{}, rounds, 1.0, kSims);
    INFO(rounds << " rounds: mirrored " << c.mirrored << ", old " << c.old << " of " << kSims);
    CHECK(c.mirrored >= 0.92 * kSims);
    CHECK(c.mirrored <= 0.995 * kSims);
    CHECK(c.old < 0.88 * kSims);
  }
}

TEST_CASE("an order effect does not move the mirrored interval off 1") {
  // The second config of every round runs 2 % slower (say, it follows another kernel's traffic):
  // compared always in the order A B, that is a 2 % "speed-up" the old interval is sure of.
  Host h;
  h.amplitude = 0;
  h.noise = 0.01;
  h.place = 0.02;
  constexpr int kSims = 400;
  const Coverage c = coverage(h, 16, 1.0, kSims);
  INFO("mirrored " << c.mirrored << ", old " << c.old << " of " << kSims);
  CHECK(c.mirrored >= 0.92 * kSims);
  CHECK(c.old < 0.1 * kSims);
}

TEST_CASE("a true 5% difference on a drifting host is resolved") {
  Host h;
  h.noise = 0.01;
  constexpr int kSims = 200;
  const Coverage c = coverage(h, 16, 1.05, kSims);
  INFO("covers 1.05 in " << c.mirrored << ", excludes 1 in " << c.excludes_one << " of " << kSims);
  CHECK(c.excludes_one == kSims);
  CHECK(c.mirrored >= 0.92 * kSims);
  const Series s = simulate(h, 16, true, 1.05, 3);
  const Ratio r = paired_speedup(s.a, s.b);
  CHECK(r.median == Approx(1.05).epsilon(0.01));
  CHECK(r.lo > 1.0);
  CHECK(r.hi < 1.1);
  // The same difference seen from the other side.
  const Ratio back = paired_speedup(s.b, s.a);
  CHECK(back.median == Approx(1 / r.median));
  CHECK(back.lo == Approx(1 / r.hi));
}

TEST_CASE("compare gives each config up to three replicas, one per mirrored pair of rounds in turn") {
  CHECK(replicas_for(1) == 1);
  CHECK(replicas_for(3) == 1);
  CHECK(replicas_for(4) == 2);
  CHECK(replicas_for(15) == 3);
  CHECK(replicas_for(100) == 3);
  std::vector<std::size_t> used;
  for (std::size_t r = 0; r < 8; ++r) used.push_back(replica_of(r, 3));
  CHECK(used == std::vector<std::size_t>{0, 0, 1, 1, 2, 2, 0, 0});
}

TEST_CASE("run_change: two runs' medians with an interval that covers a true change", "[stats]") {
  SplitMix64 rng{7};
  const auto series = [&](double ns, int n) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) v.push_back(ns * (1 + 0.02 * (rng.uniform() - 0.5)));
    return v;
  };
  const auto a = series(100, 15), b = series(125, 15);
  const Ratio r = run_change(a, b);
  CHECK(r.median == Approx(0.8).epsilon(0.02));
  CHECK(r.lo < r.median);
  CHECK(r.hi > r.median);
  CHECK(r.hi < 1);  // a 25 % slowdown with 2 % noise is resolved
  const Ratio same = run_change(a, series(100, 15));
  CHECK(same.lo < 1);
  CHECK(same.hi > 1);
  const Ratio few = run_change({1, 2, 3}, {1, 2, 3});
  CHECK(few.lo == 0);
  CHECK(std::isinf(few.hi));
  CHECK(std::isnan(run_change({}, {1}).median));
  CHECK_THROWS_WITH(run_change({1, 2, 3, 0}, {1, 2, 3, 4}), Catch::Contains("positive"));
  // The same samples give the same interval.
  const Ratio again = run_change(a, b);
  CHECK(again.lo == r.lo);
  CHECK(again.hi == r.hi);
}
