// attn_scores.avx2 — AVX2/FMA in either layout (variants/attn_scores/scores_avx2.hpp): shd as
// register-blocked dot products with a shared reduction of 8 accumulators, hds as broadcast-FMA
// over vectors of heads with no reductions; keys in ~16 KiB tiles of K, split among threads in
// contiguous ranges.
#include <cmath>

#include "harness/core/registry.hpp"
#include "variants/attn_scores/scores_avx2.hpp"

namespace cromwell {
namespace {

using K = AttnScoresKernel;

const bool registered = register_variant<K>({
    .name = "avx2",
    .summary = "AVX2/FMA: shd blocked dot products, hds broadcast-FMA over heads",
    .isa = CROMWELL_AVX2,
    .space = {.params = {K::layout_param()}, .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const attn_avx2::Plan plan = attn_avx2::make_plan(s, K::layout_of(p), 0);
      return [plan, &pool](K::Workspace& ws) { attn_avx2::run<attn_avx2::Hint::none>(plan, ws, pool); };
    },
});

}  // namespace
}  // namespace cromwell
