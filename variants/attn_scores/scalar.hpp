#pragma once
// The scalar loops of attn_scores.naive, also run tile by tile by attn_scores.blocked: a scalar
// fp32 dot product per score over keys [t0, t1), in the order the layout reads best (shd: s, h, t;
// hds: s, t, h), then the scale.
#include <cstdint>

#include "kernels/attn_scores.hpp"

namespace cromwell::attn_scalar {

using ScoresFn = void (*)(const AttnScoresShape&, const float*, const float*, float*, float, std::int64_t,
                          std::int64_t);

inline void scores_shd(const AttnScoresShape& s, const float* q, const float* k, float* out, float scale,
                       std::int64_t t0, std::int64_t t1) {
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

inline void scores_hds(const AttnScoresShape& s, const float* q, const float* k, float* out, float scale,
                       std::int64_t t0, std::int64_t t1) {
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

inline ScoresFn scores_for(AttnLayout layout) { return layout == AttnLayout::shd ? &scores_shd : &scores_hds; }

}  // namespace cromwell::attn_scalar
