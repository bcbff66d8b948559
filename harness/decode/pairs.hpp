#pragma once
// The measurement of a token step: `pairs` rounds of one token, then one read pass over the same
// bytes (the step's arena) with the same threads — so each token has its own bandwidth, measured
// within a second of it, and the fraction of the bound is a median of paired ratios that the
// host's drifting bandwidth does not bias (the caller takes each pair's bound at its bandwidth).
#include <string>
#include <vector>

#include "counters/backend.hpp"
#include "harness/decode/step.hpp"

namespace cromwell::decode {

struct Pairs {
  std::vector<double> token_ns, read_ns;      // per pair
  std::vector<std::vector<double>> stage_ns;  // [stage][pair]: the stage's time in that token
  std::vector<double> bandwidth_gbps;         // per pair: arena bytes / read time
};

// Two tokens and a read pass to warm up, then the pairs. With `counters`, each token (not the read
// passes) is counted: one call of the session's timed loop per token.
Pairs measure_pairs(Step& step, std::size_t stages, int pairs, CounterSession* counters = nullptr);

double median(std::vector<double> v);

}  // namespace cromwell::decode
