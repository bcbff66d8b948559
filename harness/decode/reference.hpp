#pragma once
// The token step computed plainly, in double, from the inputs a Step holds (its weights decoded to
// fp32, its norm scales, its KV cache before the token, its input): what the composed step must
// reproduce. Every kernel is checked on its own against a rigorous bound (kernels/*.hpp); this
// check is about the composition — the right buffer, offset, position, layer and order — where a
// mistake changes the result by percents (a token one position off: 3 %), not by a rounding.
//
// The reference rounds each projection's input x as the instructions of the GEMV variant must:
// to bf16 (nearest even) for vdpbf16ps, to 8-bit blocks of 32 with an fp32 scale amax/127 for the
// integer dot products (variants/weights_x.hpp), not at all for the fp32 FMA. What is left are the
// fp32 roundings of the kernels (about 10⁻⁶ through a few layers) and, rarely, an x that the step
// and the reference round to neighbouring values because it differs by such a rounding — one
// quantum (amax/127, or 2⁻⁸|x|) in one element, about 10⁻³ of a projection at most. It compares
// normwise, max_i |logit_i − ref_i| / max_i |ref_i| ≤ τ, and the same for the residual stream after
// the last layer: τ = 10⁻⁴ for fp32 x, 5·10⁻³ for rounded x.
#include <string>
#include <vector>

#include "harness/decode/model.hpp"
#include "harness/decode/plan.hpp"
#include "harness/decode/step.hpp"

namespace cromwell::decode {

// How a GEMV variant rounds x before it multiplies.
enum class XRounding { none, bf16, int8 };
XRounding x_rounding(const Choice& gemv);
// How the plan's projections round x: per stage name ("qkv", "out_proj", "gate_up", "down", "lm_head").
struct Roundings {
  XRounding qkv, out_proj, gate_up, down, lm_head;
  bool any() const;
};
Roundings x_roundings(const std::vector<Stage>& stages, const Plan& plan);

// The dimensions of the check: small, with every feature of the real ones — GQA (4 query heads on
// 2 key heads), two layers, every k a multiple of 32, a context of 7.
ModelDims check_dims();

struct ReferenceToken {
  std::vector<double> logits, hidden;
};
// The token of `step` as the reference computes it; `position` is the token's position (context − 1
// is what the step does; tests pass another one to show the check tells them apart).
ReferenceToken reference_token(const ModelDims& m, const Step& step, std::int64_t position, const Roundings& x);

double composed_tolerance(const Roundings& x);

// Runs one token of `step` and compares it with the reference: "" when it is within
// composed_tolerance, else what differs (which output, the worst element, the error, τ).
std::string check_step(const ModelDims& m, const Roundings& x, Step& step);
// The comparison check_step makes, of the token `step` last computed with `want`.
std::string compare_step(const ReferenceToken& want, const Step& step, double tau);

// max_i |got_i − want_i| / max_i |want_i| and the i where it is worst.
struct Normwise {
  double error = 0;
  std::size_t worst = 0;
};
Normwise normwise(std::span<const float> got, const std::vector<double>& want);

}  // namespace cromwell::decode
