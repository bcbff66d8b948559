// attn_values.avx2 — attn_values.naive with AVX2/FMA, register-blocked so that one load of V
// feeds several heads, and cached positions taken in tiles of about 16 KiB of V (a tile of V and
// the matching P stay in L1 while every output row of the thread passes over them; the partial
// sums live in O between tiles).
//
// shd  vectors over d, the next tile of V prefetched while one is computed: for each position t, 16 floats of V(t, g,
// d..d+16) are loaded once and
//      FMA'd with the broadcast weights P(s, h, t) of 6 heads of group g (12 accumulators: 8 loads
//      per 12 FMAs). With MQA the 32 heads of a token read each V row in 6 passes from L1 instead
//      of 32 from memory. Output rows (token, head) are split among threads, so decode splits its
//      heads. A dim tail of 1..15 is masked.
// hds  vectors over heads, no reductions: for each t, the weights P(s, t, 16 heads) are two
//      loads, and each V(t, d, g) of 6 values of d is broadcast into them (12 accumulators). A
//      vector of heads that spans several key heads (GQA with fewer than 8 heads per key head)
//      gathers its V values with a masked load and a lane permutation instead. Output rows
//      (token, d) are split among threads; a partial vector of heads is masked.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "harness/core/registry.hpp"
#include "kernels/attn_values.hpp"

namespace cromwell {
namespace {

using K = AttnValuesKernel;

constexpr std::int64_t kTileFloats = 4096;  // 16 KiB of V per tile of positions

[[gnu::target(CROMWELL_AVX2)]] __m256i lanes_below(std::int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 load(const float* p, bool masked, __m256i mask) {
  return masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void store(float* p, __m256 v, bool masked, __m256i mask) {
  if (masked)
    _mm256_maskstore_ps(p, mask, v);
  else
    _mm256_storeu_ps(p, v);
}

// ---- shd -------------------------------------------------------------------------------------

// HB heads (P rows `ps` apart, O rows `os` apart) × NV vectors of d (the last masked when Tail)
// over nt positions (V rows `vs` apart). first: the accumulators start at zero, else from O.
template <int HB, int NV, bool Tail>
[[gnu::target(CROMWELL_AVX2)]] void shd_block(const float* p, std::int64_t ps, const float* v, std::int64_t vs,
                                              std::int64_t nt, float* o, std::int64_t os, bool first, __m256i mask) {
  __m256 acc[HB][NV];
  for (int i = 0; i < HB; ++i)
    for (int j = 0; j < NV; ++j)
      acc[i][j] = first ? _mm256_setzero_ps() : load(o + i * os + 8 * j, Tail && j == NV - 1, mask);
  for (std::int64_t t = 0; t < nt; ++t) {
    __m256 vv[NV];
    for (int j = 0; j < NV; ++j) vv[j] = load(v + t * vs + 8 * j, Tail && j == NV - 1, mask);
    for (int i = 0; i < HB; ++i) {
      const __m256 w = _mm256_broadcast_ss(p + i * ps + t);
      for (int j = 0; j < NV; ++j) acc[i][j] = _mm256_fmadd_ps(w, vv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < HB; ++i)
    for (int j = 0; j < NV; ++j) store(o + i * os + 8 * j, acc[i][j], Tail && j == NV - 1, mask);
}

// n heads of one group, in blocks of 6 and one block of the rest.
template <int NV, bool Tail>
[[gnu::target(CROMWELL_AVX2)]] void shd_heads(std::int64_t n, const float* p, std::int64_t ps, const float* v,
                                              std::int64_t vs, std::int64_t nt, float* o, std::int64_t os, bool first,
                                              __m256i mask) {
  std::int64_t h = 0;
  for (; h + 6 <= n; h += 6) shd_block<6, NV, Tail>(p + h * ps, ps, v, vs, nt, o + h * os, os, first, mask);
  switch (n - h) {
    case 5:
      shd_block<5, NV, Tail>(p + h * ps, ps, v, vs, nt, o + h * os, os, first, mask);
      break;
    case 4:
      shd_block<4, NV, Tail>(p + h * ps, ps, v, vs, nt, o + h * os, os, first, mask);
      break;
    case 3:
      shd_block<3, NV, Tail>(p + h * ps, ps, v, vs, nt, o + h * os, os, first, mask);
      break;
    case 2:
      shd_block<2, NV, Tail>(p + h * ps, ps, v, vs, nt, o + h * os, os, first, mask);
      break;
    case 1:
      shd_block<1, NV, Tail>(p + h * ps, ps, v, vs, nt, o + h * os, os, first, mask);
      break;
    default:
      break;
  }
}

// O rows [r0, r1) of [seq·heads][dim].
[[gnu::target(CROMWELL_AVX2)]] void values_shd(const AttnScoresShape& s, const float* p, const float* v, float* o,
                                               std::int64_t r0, std::int64_t r1) {
  const std::int64_t T = s.cache_len, dim = s.dim, per_group = s.heads / s.kv_heads, vs = s.kv_heads * dim;
  const std::int64_t tile = std::max<std::int64_t>(8, kTileFloats / dim);
  // The key heads of these rows: their part of each V row is what the next tile prefetches.
  std::int64_t g_lo = s.kv_heads, g_hi = 0;
  for (std::int64_t r = r0; r < r1; ++r) {
    g_lo = std::min(g_lo, r % s.heads / per_group);
    g_hi = std::max(g_hi, r % s.heads / per_group + 1);
  }
  for (std::int64_t tb = 0; tb < T; tb += tile) {
    const std::int64_t nt = std::min(T, tb + tile) - tb;
    const bool first = tb == 0;
    // The next tile of V, requested now: a cold cache (the engine's: each layer's V was last read a
    // token ago) fetches it while this tile is computed, instead of stalling at each tile's start.
    for (std::int64_t t = tb + tile; t < std::min(T, tb + 2 * tile); ++t) {
      const char* row = reinterpret_cast<const char*>(v + t * vs + g_lo * dim);
      for (std::int64_t b = 0; b < (g_hi - g_lo) * dim * std::int64_t(sizeof(float)); b += 64)
        _mm_prefetch(row + b, _MM_HINT_T0);
    }
    for (std::int64_t r = r0; r < r1;) {
      // The run of rows of one token and one group.
      const std::int64_t i = r / s.heads, g = r % s.heads / per_group;
      const std::int64_t run_end = std::min(r1, i * s.heads + (g + 1) * per_group), n = run_end - r;
      const float* pr = p + r * T + tb;
      const float* vr = v + tb * vs + g * dim;
      float* orow = o + r * dim;
      for (std::int64_t d = 0; d < dim; d += 16) {
        const std::int64_t rest = dim - d;
        if (rest >= 16)
          shd_heads<2, false>(n, pr, T, vr + d, vs, nt, orow + d, dim, first, lanes_below(8));
        else if (rest > 8)
          shd_heads<2, true>(n, pr, T, vr + d, vs, nt, orow + d, dim, first, lanes_below(rest - 8));
        else if (rest == 8)
          shd_heads<1, false>(n, pr, T, vr + d, vs, nt, orow + d, dim, first, lanes_below(8));
        else
          shd_heads<1, true>(n, pr, T, vr + d, vs, nt, orow + d, dim, first, lanes_below(rest));
      }
      r = run_end;
    }
  }
}

// ---- hds -------------------------------------------------------------------------------------

// One vector of 8 heads from h0: its first key head, the lanes' key heads relative to it, which
// lanes of V(t, d, g0..g0+8) exist, which heads exist, and whether all its heads share g0.
struct HeadVector {
  std::int64_t h0, g0;
  std::array<int, 8> rel, gvalid, hvalid;
  bool shared;
};

struct HdsPlan {
  std::vector<HeadVector> vectors;
  bool tail = false;  // the last vector is partial
};

HdsPlan hds_plan(const AttnScoresShape& s) {
  HdsPlan plan;
  const std::int64_t per_group = s.heads / s.kv_heads;
  for (std::int64_t h0 = 0; h0 < s.heads; h0 += 8) {
    HeadVector hv{h0, h0 / per_group, {}, {}, {}, true};
    for (int k = 0; k < 8; ++k) {
      const std::int64_t h = std::min(h0 + k, s.heads - 1);
      hv.rel[k] = int(h / per_group - hv.g0);
      hv.gvalid[k] = hv.g0 + k < s.kv_heads ? -1 : 0;
      hv.hvalid[k] = h0 + k < s.heads ? -1 : 0;
      hv.shared = hv.shared && hv.rel[k] == 0;
    }
    plan.vectors.push_back(hv);
  }
  plan.tail = s.heads % 8 != 0;
  return plan;
}

// The V values of the heads of a vector at one (t, d): `vd` points at V(t, d, 0).
template <bool Shared>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 v_for(const float* vd, std::int64_t g0, __m256i rel,
                                                                       __m256i gvalid) {
  if constexpr (Shared)
    return _mm256_broadcast_ss(vd + g0);
  else
    return _mm256_permutevar8x32_ps(_mm256_maskload_ps(vd + g0, gvalid), rel);
}

// DB values of d (V at `v`: rows `vs` apart per position, d `kv` apart; O rows `os` apart) × HV
// vectors of heads (P rows `ps` apart per position), the last one masked when Tail.
template <int DB, int HV, bool Shared, bool Tail>
[[gnu::target(CROMWELL_AVX2)]] void hds_block(const float* p, std::int64_t ps, const float* v, std::int64_t vs,
                                              std::int64_t kv, std::int64_t nt, float* o, std::int64_t os, bool first,
                                              const HeadVector* hv) {
  __m256i rel[HV], gvalid[HV];
  for (int j = 0; j < HV; ++j) {
    rel[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hv[j].rel.data()));
    gvalid[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hv[j].gvalid.data()));
  }
  const __m256i hmask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hv[HV - 1].hvalid.data()));
  __m256 acc[DB][HV];
  for (int dd = 0; dd < DB; ++dd)
    for (int j = 0; j < HV; ++j)
      acc[dd][j] = first ? _mm256_setzero_ps() : load(o + dd * os + 8 * j, Tail && j == HV - 1, hmask);
  for (std::int64_t t = 0; t < nt; ++t) {
    __m256 pv[HV];
    for (int j = 0; j < HV; ++j) pv[j] = load(p + t * ps + 8 * j, Tail && j == HV - 1, hmask);
    for (int dd = 0; dd < DB; ++dd)
      for (int j = 0; j < HV; ++j)
        acc[dd][j] =
            _mm256_fmadd_ps(pv[j], v_for<Shared>(v + t * vs + dd * kv, hv[j].g0, rel[j], gvalid[j]), acc[dd][j]);
  }
  for (int dd = 0; dd < DB; ++dd)
    for (int j = 0; j < HV; ++j) store(o + dd * os + 8 * j, acc[dd][j], Tail && j == HV - 1, hmask);
}

template <int DB, int HV>
[[gnu::target(CROMWELL_AVX2)]] void hds_dispatch(bool shared, bool tail, const float* p, std::int64_t ps,
                                                 const float* v, std::int64_t vs, std::int64_t kv, std::int64_t nt,
                                                 float* o, std::int64_t os, bool first, const HeadVector* hv) {
  if (shared && !tail)
    hds_block<DB, HV, true, false>(p, ps, v, vs, kv, nt, o, os, first, hv);
  else if (shared)
    hds_block<DB, HV, true, true>(p, ps, v, vs, kv, nt, o, os, first, hv);
  else if (!tail)
    hds_block<DB, HV, false, false>(p, ps, v, vs, kv, nt, o, os, first, hv);
  else
    hds_block<DB, HV, false, true>(p, ps, v, vs, kv, nt, o, os, first, hv);
}

// DB values of d starting at d, every vector of heads (in pairs, then one).
template <int DB>
[[gnu::target(CROMWELL_AVX2)]] void hds_dims(const AttnScoresShape& s, const HdsPlan& plan, const float* p,
                                             const float* v, float* o, std::int64_t nt, bool first) {
  const std::int64_t nv = std::int64_t(plan.vectors.size()), vs = s.dim * s.kv_heads;
  std::int64_t j = 0;
  for (; j + 2 <= nv; j += 2) {
    const HeadVector* hv = &plan.vectors[j];
    hds_dispatch<DB, 2>(hv[0].shared && hv[1].shared, plan.tail && j + 2 == nv, p + hv[0].h0, s.heads, v, vs,
                        s.kv_heads, nt, o + hv[0].h0, s.heads, first, hv);
  }
  if (j < nv) {
    const HeadVector* hv = &plan.vectors[j];
    hds_dispatch<DB, 1>(hv[0].shared, plan.tail, p + hv[0].h0, s.heads, v, vs, s.kv_heads, nt, o + hv[0].h0, s.heads,
                        first, hv);
  }
}

// O rows [r0, r1) of [seq·dim][heads].
[[gnu::target(CROMWELL_AVX2)]] void values_hds(const AttnScoresShape& s, const HdsPlan& plan, const float* p,
                                               const float* v, float* o, std::int64_t r0, std::int64_t r1) {
  const std::int64_t T = s.cache_len, vs = s.dim * s.kv_heads;
  const std::int64_t tile = std::max<std::int64_t>(8, kTileFloats / vs);
  for (std::int64_t tb = 0; tb < T; tb += tile) {
    const std::int64_t nt = std::min(T, tb + tile) - tb;
    const bool first = tb == 0;
    for (std::int64_t r = r0; r < r1;) {
      // The run of rows of one token: d from r % dim.
      const std::int64_t i = r / s.dim, run_end = std::min(r1, (i + 1) * s.dim);
      const float* pt = p + (i * T + tb) * s.heads;
      for (; r + 6 <= run_end; r += 6)
        hds_dims<6>(s, plan, pt, v + tb * vs + (r % s.dim) * s.kv_heads, o + r * s.heads, nt, first);
      for (; r < run_end; ++r)
        hds_dims<1>(s, plan, pt, v + tb * vs + (r % s.dim) * s.kv_heads, o + r * s.heads, nt, first);
    }
  }
}

const bool registered = register_variant<K>({
    .name = "avx2",
    .summary = "AVX2/FMA: shd 6 heads per load of V, hds broadcast-FMA over heads; tiles of V in L1",
    .isa = CROMWELL_AVX2,
    .space = {.params = {AttnScoresKernel::layout_param()}, .constraints = {}},
    .prepare = [](const AttnScoresShape& s, const ParamValues& p, Pool& pool) -> Runnable<K> {
      if (K::layout_of(p) == AttnLayout::shd)
        return [s, &pool](K::Workspace& ws) {
          pool.parallel_for(s.seq * s.heads, 1, [&](std::int64_t b, std::int64_t e) {
            values_shd(s, ws.p.data(), ws.v.data(), ws.o.data(), b, e);
          });
        };
      auto plan = std::make_shared<const HdsPlan>(hds_plan(s));
      return [s, plan, &pool](K::Workspace& ws) {
        pool.parallel_for(s.seq * s.dim, 1, [&](std::int64_t b, std::int64_t e) {
          values_hds(s, *plan, ws.p.data(), ws.v.data(), ws.o.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
