// attn_scores.naive — the plain loop (variants/attn_scores/scalar.hpp): a scalar fp32 dot
// product per score, in the order the layout reads best (shd: s, h, t; hds: s, t, h), then the
// scale. Keys are split among threads in contiguous ranges, so decode (seq 1) splits too.
#include <cmath>

#include "harness/core/registry.hpp"
#include "variants/attn_scores/scalar.hpp"

namespace cromwell {
namespace {

using K = AttnScoresKernel;

const bool registered = register_variant<K>({
    .name = "naive",
    .summary = "scalar dot product per score",
    .space = {.params = {K::layout_param()}, .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const float scale = 1.0f / std::sqrt(float(s.dim));
      const auto fn = attn_scalar::scores_for(K::layout_of(p));
      return [s, scale, fn, &pool](K::Workspace& ws) {
        pool.parallel_for(s.cache_len, 1, [&](std::int64_t b, std::int64_t e) {
          fn(s, ws.q.data(), ws.k.data(), ws.s.data(), scale, b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
