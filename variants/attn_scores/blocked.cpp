// attn_scores.blocked — attn_scores.naive with the keys taken in tiles: every query row (s, h)
// passes over one tile of `tile` keys while it is in cache, instead of over all cache_len keys
// (shd decode re-reads all of K once per head; hds prefill once per query token).
//   tile  keys per tile; tile·kv_heads·dim·4 bytes of K are reused from cache
// Each thread tiles its own contiguous range of keys.
#include <algorithm>
#include <cmath>

#include "harness/core/registry.hpp"
#include "variants/attn_scores/scalar.hpp"

namespace cromwell {
namespace {

using K = AttnScoresKernel;

const bool registered = register_variant<K>({
    .name = "blocked",
    .summary = "attn_scores.naive over tiles of keys",
    .space = {.params = {K::layout_param(),
                         Param::integer("tile", 1, 1 << 20, {16, 64, 256, 1024}, 64, "keys",
                                        "keys per tile (tile·kv_heads·dim·4 bytes of K stay in cache)")},
              .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const float scale = 1.0f / std::sqrt(float(s.dim));
      const std::int64_t tile = p.integer("tile");
      const auto fn = attn_scalar::scores_for(K::layout_of(p));
      return [s, scale, tile, fn, &pool](K::Workspace& ws) {
        pool.parallel_for(s.cache_len, 1, [&](std::int64_t b, std::int64_t e) {
          for (std::int64_t tb = b; tb < e; tb += tile)
            fn(s, ws.q.data(), ws.k.data(), ws.s.data(), scale, tb, std::min(e, tb + tile));
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
