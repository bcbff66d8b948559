// attn_scores.avx2_prefetch — attn_scores.avx2 plus software prefetch of K, the one stream that
// comes from beyond L1 (decode: 4096 keys are 1 MiB of K, read once per call):
//   layout    as attn_scores.avx2
//   pf_dist   distance ahead of the key rows being read, in 64-byte cache lines (a key of the
//             engine is kv_heads·dim·4 = 256 bytes, 4 lines); 0 = no prefetch instructions.
//             Default 64 (16 keys): 1.44× attn_scores.avx2 at decode 4096 with K from DRAM.
//   pf_hint   t0 | t1 | t2 | nta: the locality hint of the prefetch instructions
// The prefetches run on the first pass over each tile of keys, the one that brings it in.
#include <cmath>

#include "harness/core/registry.hpp"
#include "variants/attn_scores/scores_avx2.hpp"

namespace cromwell {
namespace {

using K = AttnScoresKernel;
const bool registered = register_variant<K>({
    .name = "avx2_prefetch",
    .summary = "attn_scores.avx2 with software prefetch of the K stream",
    .isa = CROMWELL_AVX2,
    .space = {.params = {K::layout_param(),
                         Param::integer("pf_dist", 0, 1024, {0, 4, 16, 64}, 64, "cache lines",
                                        "prefetch distance ahead in K; 0 = none"),
                         prefetch::hint_param()},
              .constraints = {prefetch::hint_needs_distance()}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const std::int64_t dist = p.integer("pf_dist");
      const attn_avx2::Plan plan = attn_avx2::make_plan(s, K::layout_of(p), 64 * dist);
      const auto fn =
          prefetch::dispatch(prefetch::hint_of(p, dist), []<prefetch::Hint H>() { return &attn_avx2::run<H>; });
      return [plan, fn, &pool](K::Workspace& ws) { fn(plan, ws, pool); };
    },
});

}  // namespace
}  // namespace cromwell
