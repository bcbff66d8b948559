// attn_scores.blocked — attn_scores.naive with the keys taken in tiles: every query row (s, h)
// passes over one tile of `tile` keys while it is in cache, instead of over all cache_len keys
// (shd decode re-reads all of K once per head; hds prefill once per query token).
//   tile  keys per tile; tile·kv_heads·dim·4 bytes of K are reused from cache
// Each thread tiles its own contiguous range of keys.
#include <algorithm>
#include <cmath>

#include "harness/registry.hpp"
#include "kernels/attn_scores.hpp"

namespace cromwell {
namespace {

using K = AttnScoresKernel;

void scores_shd(const AttnScoresShape& s, const float* q, const float* k, float* out, float scale, std::int64_t t0,
                std::int64_t t1, std::int64_t tile) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t tb = t0; tb < t1; tb += tile) {
    const std::int64_t te = std::min(t1, tb + tile);
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t h = 0; h < s.heads; ++h)
        for (std::int64_t t = tb; t < te; ++t) {
          const float* qr = q + (i * s.heads + h) * s.dim;
          const float* kr = k + (t * s.kv_heads + h / per_group) * s.dim;
          float sum = 0.0f;
          for (std::int64_t d = 0; d < s.dim; ++d) sum += qr[d] * kr[d];
          out[(i * s.heads + h) * s.cache_len + t] = sum * scale;
        }
  }
}

void scores_hds(const AttnScoresShape& s, const float* q, const float* k, float* out, float scale, std::int64_t t0,
                std::int64_t t1, std::int64_t tile) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t tb = t0; tb < t1; tb += tile) {
    const std::int64_t te = std::min(t1, tb + tile);
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t t = tb; t < te; ++t)
        for (std::int64_t h = 0; h < s.heads; ++h) {
          const std::int64_t g = h / per_group;
          float sum = 0.0f;
          for (std::int64_t d = 0; d < s.dim; ++d)
            sum += q[(i * s.dim + d) * s.heads + h] * k[(t * s.dim + d) * s.kv_heads + g];
          out[(i * s.cache_len + t) * s.heads + h] = sum * scale;
        }
  }
}

const bool registered = register_variant<K>({
    .name = "blocked",
    .summary = "attn_scores.naive over tiles of keys",
    .isa = {},
    .space = {.params = {K::layout_param(),
                         Param::integer("tile", 1, 1 << 20, {16, 64, 256, 1024}, 64, "keys",
                                        "keys per tile (tile·kv_heads·dim·4 bytes of K stay in cache)")},
              .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const float scale = 1.0f / std::sqrt(float(s.dim));
      const std::int64_t tile = p.integer("tile");
      const auto fn = K::layout_of(p) == AttnLayout::shd ? &scores_shd : &scores_hds;
      return [s, scale, tile, fn, &pool](K::Workspace& ws) {
        pool.parallel_for(s.cache_len, 1, [&](std::int64_t b, std::int64_t e) {
          fn(s, ws.q.data(), ws.k.data(), ws.s.data(), scale, b, e, tile);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
