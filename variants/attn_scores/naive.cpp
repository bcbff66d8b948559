// attn_scores.naive — the plain loop: a scalar fp32 dot product per score, in the order the
// layout reads best (shd: s, h, t; hds: s, t, h), then the scale. Keys are split among threads
// in contiguous ranges, so decode (seq 1) splits too.
#include <cmath>

#include "harness/registry.hpp"
#include "kernels/attn_scores.hpp"

namespace cromwell {
namespace {

using K = AttnScoresKernel;

void scores_shd(const AttnScoresShape& s, const float* q, const float* k, float* out, float scale, std::int64_t t0,
                std::int64_t t1) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t i = 0; i < s.seq; ++i)
    for (std::int64_t h = 0; h < s.heads; ++h)
      for (std::int64_t t = t0; t < t1; ++t) {
        const float* qr = q + (i * s.heads + h) * s.dim;
        const float* kr = k + (t * s.kv_heads + h / per_group) * s.dim;
        float sum = 0.0f;
        for (std::int64_t d = 0; d < s.dim; ++d) sum += qr[d] * kr[d];
        out[(i * s.heads + h) * s.cache_len + t] = sum * scale;
      }
}

void scores_hds(const AttnScoresShape& s, const float* q, const float* k, float* out, float scale, std::int64_t t0,
                std::int64_t t1) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t i = 0; i < s.seq; ++i)
    for (std::int64_t t = t0; t < t1; ++t)
      for (std::int64_t h = 0; h < s.heads; ++h) {
        const std::int64_t g = h / per_group;
        float sum = 0.0f;
        for (std::int64_t d = 0; d < s.dim; ++d)
          sum += q[(i * s.dim + d) * s.heads + h] * k[(t * s.dim + d) * s.kv_heads + g];
        out[(i * s.cache_len + t) * s.heads + h] = sum * scale;
      }
}

const bool registered = register_variant<K>({
    .name = "naive",
    .summary = "scalar dot product per score",
    .isa = {},
    .space = {.params = {K::layout_param()}, .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const float scale = 1.0f / std::sqrt(float(s.dim));
      const auto fn = K::layout_of(p) == AttnLayout::shd ? &scores_shd : &scores_hds;
      return [s, scale, fn, &pool](K::Workspace& ws) {
        pool.parallel_for(s.cache_len, 1, [&](std::int64_t b, std::int64_t e) {
          fn(s, ws.q.data(), ws.k.data(), ws.s.data(), scale, b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
