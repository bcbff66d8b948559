// attn_values.naive — the plain loops: each output row starts at zero and adds P·V one cached
// position at a time, the inner loop running along the row (shd: over d for one head; hds: over
// heads for one d). Output rows are split among threads in contiguous ranges: (token, head) rows
// in shd, (token, d) rows in hds, so decode (seq 1) splits too.
#include <cstdint>

#include "harness/core/registry.hpp"
#include "kernels/attn_values.hpp"

namespace cromwell {
namespace {

using K = AttnValuesKernel;

// O rows r0..r1 of [seq·heads][dim].
void values_shd(const AttnScoresShape& s, const float* p, const float* v, float* o, std::int64_t r0, std::int64_t r1) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t r = r0; r < r1; ++r) {
    const std::int64_t g = r % s.heads / per_group;
    float* orow = o + r * s.dim;
    for (std::int64_t d = 0; d < s.dim; ++d) orow[d] = 0.0f;
    for (std::int64_t t = 0; t < s.cache_len; ++t) {
      const float w = p[r * s.cache_len + t];
      const float* vrow = v + (t * s.kv_heads + g) * s.dim;
      for (std::int64_t d = 0; d < s.dim; ++d) orow[d] += w * vrow[d];
    }
  }
}

// O rows r0..r1 of [seq·dim][heads].
void values_hds(const AttnScoresShape& s, const float* p, const float* v, float* o, std::int64_t r0, std::int64_t r1) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t r = r0; r < r1; ++r) {
    const std::int64_t i = r / s.dim, d = r % s.dim;
    float* orow = o + r * s.heads;
    for (std::int64_t h = 0; h < s.heads; ++h) orow[h] = 0.0f;
    for (std::int64_t t = 0; t < s.cache_len; ++t) {
      const float* prow = p + (i * s.cache_len + t) * s.heads;
      const float* vrow = v + (t * s.dim + d) * s.kv_heads;
      for (std::int64_t h = 0; h < s.heads; ++h) orow[h] += prow[h] * vrow[h / per_group];
    }
  }
}

const bool registered = register_variant<K>({
    .name = "naive",
    .summary = "scalar accumulation of P·V per output row",
    .space = {.params = {AttnScoresKernel::layout_param()}, .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      const bool shd = K::layout_of(p) == AttnLayout::shd;
      const std::int64_t rows = shd ? s.seq * s.heads : s.seq * s.dim;
      return [s, shd, rows, &pool](K::Workspace& ws) {
        pool.parallel_for(rows, 1, [&](std::int64_t b, std::int64_t e) {
          if (shd)
            values_shd(s, ws.p.data(), ws.v.data(), ws.o.data(), b, e);
          else
            values_hds(s, ws.p.data(), ws.v.data(), ws.o.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
