#pragma once
// The statistics of interleaved timings, in one place: `compare` computes its speed-ups here, and
// whatever reads per-round samples back from files (a report, the CI gate) computes the same
// numbers with the same calls. The interval is seeded: the same samples always give the same
// interval, wherever they are computed.
//
// How configs are measured, and what the numbers mean:
//
// * A round measures every config once, back to back. Even rounds go forward (A B C), odd rounds
//   in reverse (C B A), so two configs run A B | B A | A B | B A … (ABBA). The host's speed
//   drifts (a shared VM: 10–20 % over minutes, with other processes coming and going), and
//   anything tied to a place in the round (being measured first, following itself) biases a
//   ratio measured in the same order every round the same way, which no number of rounds
//   averages out. In mirrored order that bias changes sign from one round to the next: a linear
//   drift, or an effect of the place in the round, adds +c to the log ratio of every forward
//   round and −c to that of every reverse round, and cancels within each pair of rounds.
// * The paired log ratio of round r is log(t_ref[r] / t[r]): the reference and the config timed
//   in the same round, moments apart, so the slow part of the drift cancels.
// * The statistic is the median of the per-round log ratios taken over the forward rounds and
//   over the reverse rounds separately, and the midpoint of the two (mirrored_median), reported
//   as exp(·). The ±c above makes the per-round ratios two humps; a plain median of all rounds
//   sits between them, where there is least data, and moves with any imbalance between the
//   halves (in simulation its interval covered the truth in 82–92 % of runs, not 95 %). The mean
//   of each mirrored pair cancels c too, but it is an average: one disturbed measurement of
//   four spoils the pair, which made its intervals 20–60 % wider under the outliers a busy host
//   produces. Each half's median stays robust, and an odd number of rounds needs no special case.
// * The interval is mirrored_median ± t·se on the log scale, reported as exp(·). se comes from a
//   circular block bootstrap (Politis & Romano 1992) of the rounds, and t is the Student quantile
//   with (number of blocks − 1) degrees of freedom. Rounds are not independent draws:
//   neighbouring rounds share the state of the host (its load, clock and caches) and carry the
//   alternating ±c, so treating them as independent is overconfident; the block bootstrap
//   resamples runs of consecutive rounds, keeping that dependence inside each block. Blocks hold
//   whole mirrored pairs and grow as rounds^(1/3) (the order of the best block length for
//   variance estimates, Hall, Horowitz & Jing 1995): 2 rounds up to 26 rounds, 4 up to 124, 6 up
//   to 342. The bootstrap is seeded with a fixed seed. Why these choices:
//   - a block bootstrap rather than batch means: batch means give an interval for a mean, not
//     for the median that is quoted, and overlapping blocks use every starting round rather than
//     a few disjoint batches;
//   - a standard error with a t quantile rather than the percentiles of the resampled medians:
//     with the 10–30 rounds compare usually runs, the bootstrap distribution of a median is
//     lumpy and too narrow (in simulation of independent rounds, percentile intervals covered
//     85–93 %), while the t quantile on the number of blocks pays for the few independent blocks
//     a short series has, the same correction batch means make;
//   - se is the interquartile range of the resampled medians ÷ 1.349 (the IQR of a unit normal),
//     not their standard deviation, which the lumps and the long tail of that distribution
//     inflate: under outliers like a busy host's, the standard deviation overstated the true
//     standard error 1.2–1.9× (intervals at 99.7 % instead of 95 %), the IQR by 0–45 % (0–25 %
//     from 16 rounds on).
//   Fewer than kMinRounds rounds cannot support the claim: the interval is then (0, ∞), which
//   every test of the form lo > 1 or hi < 1 reads as "not resolved".
#include <cstddef>
#include <cstdint>
#include <vector>

#include "harness/core/record.hpp"

namespace cromwell {

// SplitMix64 (Steele, Lea & Flood 2014): small, fast, and the same numbers on every compiler and
// standard library, which std::uniform_int_distribution does not promise.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // in [0, 1)
  // Uniform in [0, n) (Lemire's multiply-shift; its bias, n / 2^64, is far below anything measured).
  std::size_t below(std::size_t n) {
    return static_cast<std::size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
};

// A ratio with its confidence interval: lo ≤ median ≤ hi (lo = 0, hi = ∞ when unknown).
struct Ratio {
  double median = 0, lo = 0, hi = 0;
};

// The median of v (the mean of the two middle values when v has an even size); NaN when empty.
double median(std::vector<double> v);

// Fills a record's time statistics from its samples_ns — the median, the minimum and err%, the
// median absolute percentage deviation of the repetitions from their median (MdAPE), with the
// `unstable` mark above kUnstablePct — and GFLOP/s and GB/s from the work of one call.
void summarize(Record& r, double flops, double bytes);

// The order in which round `round` measures `configs` configs: 0 … configs−1 in even rounds,
// reversed in odd rounds.
std::vector<std::size_t> round_order(std::size_t configs, std::size_t round);

// log(ref_ns[r] / ns[r]) for every round r: > 0 where the config was faster than the reference.
// Throws std::invalid_argument when the sizes differ or a time is not positive.
std::vector<double> log_ratios(const std::vector<double>& ref_ns, const std::vector<double>& ns);

// The midpoint of the median of the forward rounds (0, 2, 4 …) and the median of the reverse
// rounds (1, 3, 5 …) of a series of per-round log ratios in round order; a single round is its
// own value. NaN when empty.
double mirrored_median(const std::vector<double>& per_round);

// Rounds per bootstrap block for a series of `rounds` rounds: rounds^(1/3) rounded to whole pairs
// of rounds, at least one pair.
std::size_t block_length(std::size_t rounds);

// The p-quantile of Student's t distribution with df ≥ 1 degrees of freedom (df may be fractional).
double t_quantile(double p, double df);

// Fewest rounds for which median_ratio gives a finite interval (two blocks of two rounds).
constexpr std::size_t kMinRounds = 4;

struct IntervalOptions {
  double level = 0.95;                         // coverage of the interval
  int resamples = 4000;                        // bootstrap resamples
  std::uint64_t seed = 0x63726f6d77656c6cULL;  // fixed: the same samples give the same interval
};

// P(T ≤ t) for Student's t distribution with df ≥ 1 degrees of freedom.
double t_cdf(double t, double df);

// An estimate on the log scale, its standard error and the degrees of freedom of its t quantile:
// what the intervals below are made of, for tests of other shapes (one-sided, adjusted for many
// configs: the CI gate). se is ∞ (df 0) below kMinRounds; an empty series gives NaN.
struct LogEstimate {
  double log = 0, se = 0, df = 0;
  // The two-sided interval at `level`, as exp(·) of its ends around exp(log).
  Ratio interval(double level = 0.95) const;
};
// mirrored_median of per-round log ratios with the block-bootstrap standard error (median_ratio).
LogEstimate paired_estimate(const std::vector<double>& per_round_log_ratios, const IntervalOptions& opt = {});
// log(median base / median now) with the standard error of run_change.
LogEstimate change_estimate(const std::vector<double>& base_ns, const std::vector<double>& ns,
                            const IntervalOptions& opt = {});

// exp(mirrored_median) with its interval, from per-round log ratios in round order (rounds 0, 2,
// 4 … forward, 1, 3, 5 … reversed). Below kMinRounds rounds the interval is (0, ∞); an empty
// series gives NaN for all three.
Ratio median_ratio(const std::vector<double>& per_round_log_ratios, const IntervalOptions& opt = {});

// The paired speed-up of a config over a reference, from their times per call, one per round in
// round order: median_ratio(log_ratios(ref_ns, ns)). > 1 means faster than the reference.
Ratio paired_speedup(const std::vector<double>& ref_ns, const std::vector<double>& ns, const IntervalOptions& opt = {});

// The change of a config from one run to another (a baseline file, then today's): the median of
// the baseline's repetitions over the median of today's, > 1 when faster today. The two runs were
// not interleaved, so nothing pairs their repetitions: each run's log median gets its own
// standard error from a circular block bootstrap of its repetitions in order (neighbouring
// repetitions share the host's state), the two add in quadrature, and t has (fewer blocks − 1)
// degrees of freedom. What a slower host that day does to every config alike is not in the
// interval: compare a config's change with its neighbours' (`report --baseline`, the CI gate).
// Fewer than kMinRounds repetitions on either side: (0, ∞).
Ratio run_change(const std::vector<double>& base_ns, const std::vector<double>& ns, const IntervalOptions& opt = {});

}  // namespace cromwell
