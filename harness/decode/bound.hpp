#pragma once
// The bound of a token step: the time its bytes take at the memory bandwidth, and the time its
// operations take at the peak of the instructions each stage runs (fp32 FMA of the variant's width,
// vdpbf16ps for bf16 weights, vpdpbusd or vpmaddubsw for 8-bit ones) — whichever is longer binds.
// The stages run one after the other, so the step cannot beat the sum over stages of the longer of
// the two for each stage either: the staged bound, never below the other two and the one the
// fraction is taken against (attention is compute, a projection bytes: their times add up).
// The bandwidth is not a stored figure: the host's moves by tens of percent within minutes, so the
// decode command measures it beside each token (pairs.hpp) and the fraction of the bound is the
// median over pairs.
#include <map>
#include <string>
#include <vector>

#include "harness/decode/model.hpp"
#include "harness/decode/plan.hpp"

namespace cromwell::decode {

// The arithmetic a variant's inner loop runs: a kind of roofline/ceilings.hpp's measure_peak
// ("baseline", "avx2", "avx512", "bf16_avx512", "int8_avx2", "int8_avx_vnni", "int8_avx512_vnni").
std::string arithmetic_of(const Choice& c);

struct Ceilings {
  double bandwidth_gbps = 0;
  std::map<std::string, double> peak_gops;  // by arithmetic kind, at the step's thread count
};

struct Bound {
  double streamed_bytes = 0, memory_ns = 0;
  double flops = 0, compute_ns = 0;
  std::vector<double> stage_compute_ns, stage_memory_ns;  // per stage, per token (calls included)
  double staged_ns = 0;                                   // Σ over stages of max(stage memory, stage compute)
  std::string binds;                                      // "memory" or "compute": the larger of the two totals
  double ns() const { return staged_ns; }
};
// Throws std::invalid_argument when a stage's arithmetic has no peak in `c`.
Bound bound_of(const std::vector<Stage>& stages, const Plan& plan, const Ceilings& c);

// What a machine would do, computed and not measured: bytes per token over `gbps` and operations
// over `peak_gops`, for each weight format.
struct Projection {
  WeightFormat format;
  double streamed_bytes, flops, memory_ms, compute_ms, tokens_per_s;
};
std::vector<Projection> project(const ModelDims& m, double gbps, double peak_gops);

}  // namespace cromwell::decode
