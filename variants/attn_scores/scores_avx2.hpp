#pragma once
// The AVX2/FMA code shared by attn_scores.avx2 and attn_scores.avx2_prefetch (which differ only
// in the prefetch they ask for). Both layouts, any dims:
//
// shd  dot products of length dim, 8 lanes of d at a time, register-blocked over 2 heads × 4 keys
//      (or 1 head × 8 keys when a group has an odd head left): 8 accumulators, 6 loads per 8 FMAs.
//      The 8 accumulators are reduced together (a transpose by three rounds of hadd and one lane
//      swap) into one vector of 8 scores, so the horizontal sums cost 8 instructions per 8 scores
//      instead of 4 each. dim % 8 lanes are masked loads (zeros).
// hds  no reductions: for each d, the scalar K(t, d, g) is broadcast and FMA'd into vectors of
//      Q(s, d, 8 heads); register-blocked over 2 head vectors × 6 keys (12 accumulators, 8 loads
//      per 12 FMAs). That needs the 8 heads of a vector to share one key head (heads/kv_heads a
//      multiple of 8: MQA with 32 heads). GQA with kv_heads a multiple of 8 and 1, 2 or 4 heads
//      per key head (32 heads over 8 key heads, say) turns it around: vectors run over 8 key
//      heads, K(t, d, 8 key heads) is one plain load, and Q is first copied with its heads
//      reordered (group member outermost: Q'(s, d, m, g) = Q(s, d, g·P + m)), so each K load
//      feeds P FMAs with no shuffles; the P result vectors are interleaved back into head order
//      on the store. Other ratios gather their key heads with a masked load and a lane
//      permutation per vector of heads, and a partial vector of heads is masked.
//
// Keys are taken in tiles of about 16 KiB of K (tile·kv_heads·dim·4 bytes), over which every
// query row passes while the tile is in L1. Threads own contiguous key ranges.
//
// Prefetch (avx2_prefetch): K is one stream, each key's kv_heads·dim floats contiguous in both
// layouts. On the first pass over a tile (the one that brings K in), prefetch instructions run
// `pf_bytes` ahead of the key rows being read, into the next tile near its end.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "harness/platform/isa.hpp"
#include "harness/platform/pool.hpp"
#include "kernels/attn_scores.hpp"
#include "variants/prefetch.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell::attn_avx2 {

using prefetch::Hint;

struct Plan {
  AttnScoresShape s;
  AttnLayout layout = AttnLayout::shd;
  float scale = 1.0f;
  std::int64_t tile = 48;     // keys per tile
  std::int64_t pf_bytes = 0;  // prefetch distance; 0 with Hint::none
  // hds with kv_heads % 8 == 0 and heads/kv_heads in {1, 2, 4}: room for Q with its heads
  // reordered (seq·dim·heads floats), else null.
  std::shared_ptr<std::vector<float>> q_by_member;
};

// Whether hds takes the vectors-over-key-heads path.
inline bool hds_by_key_heads(const AttnScoresShape& s) {
  const std::int64_t per_group = s.heads / s.kv_heads;
  return s.kv_heads % 8 == 0 && (per_group == 1 || per_group == 2 || per_group == 4);
}

// Keys per tile: ~16 KiB of K, a multiple of 24 (whole blocks of 4, 6 and 8 keys).
inline std::int64_t tile_for(const AttnScoresShape& s) {
  const std::int64_t row = s.kv_heads * s.dim * 4;
  return std::max<std::int64_t>(24, (16384 / row) / 24 * 24);
}

// The plan of one config: scale 1/√dim, the tile, and the reordered-Q buffer when hds needs it.
inline Plan make_plan(const AttnScoresShape& s, AttnLayout layout, std::int64_t pf_bytes) {
  Plan p{s, layout, 1.0f / std::sqrt(float(s.dim)), tile_for(s), pf_bytes, nullptr};
  if (layout == AttnLayout::hds && hds_by_key_heads(s))
    p.q_by_member = std::make_shared<std::vector<float>>(s.seq * s.dim * s.heads);
  return p;
}

// Prefetches the lines of K up to `dist` bytes past a read position, each line once.
template <Hint H>
struct Prefetcher {
  const char* next;
  const char* end;
  std::int64_t dist;
  Prefetcher(const float* from, const float* k_end, std::int64_t dist_bytes)
      : next(reinterpret_cast<const char*>(reinterpret_cast<std::uintptr_t>(from) & ~std::uintptr_t{63}) + dist_bytes),
        end(reinterpret_cast<const char*>(k_end)),
        dist(dist_bytes) {}
  [[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void upto(const float* read_end) {
    if constexpr (H != Hint::none) {
      const char* target = std::min(reinterpret_cast<const char*>(read_end) + dist, end);
      for (; next < target; next += 64) prefetch::line<H>(next);
    }
  }
};

[[gnu::target(CROMWELL_AVX2)]] inline __m256i tail_mask(std::int64_t n) {
  // Lanes [0, n) set, n in 0..8.
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), lane);
}

// [Σa0, Σa1, …, Σa7]: the lane sums of eight vectors in one vector.
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline __m256 reduce8(const __m256* a) {
  const __m256 t01 = _mm256_hadd_ps(a[0], a[1]), t23 = _mm256_hadd_ps(a[2], a[3]);
  const __m256 t45 = _mm256_hadd_ps(a[4], a[5]), t67 = _mm256_hadd_ps(a[6], a[7]);
  const __m256 u = _mm256_hadd_ps(t01, t23), v = _mm256_hadd_ps(t45, t67);
  return _mm256_add_ps(_mm256_permute2f128_ps(u, v, 0x20), _mm256_permute2f128_ps(u, v, 0x31));
}

// ---- shd -------------------------------------------------------------------------------------

// HB heads (rows of Q, `dim` apart) × 8/HB keys (rows of K, `kstride` apart): 8 scores, stored
// to S rows `ostride` apart.
template <int HB>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void shd_block(const float* q, const float* k,
                                                                         std::int64_t kstride, std::int64_t dim,
                                                                         std::int64_t dim8, __m256i mask, float* o,
                                                                         std::int64_t ostride, __m256 scale) {
  constexpr int KB = 8 / HB;
  __m256 acc[8];
  for (auto& a : acc) a = _mm256_setzero_ps();
  std::int64_t d = 0;
  for (; d < dim8; d += 8) {
    __m256 qv[HB];
    for (int i = 0; i < HB; ++i) qv[i] = _mm256_loadu_ps(q + i * dim + d);
    for (int j = 0; j < KB; ++j) {
      const __m256 kv = _mm256_loadu_ps(k + j * kstride + d);
      for (int i = 0; i < HB; ++i) acc[i * KB + j] = _mm256_fmadd_ps(qv[i], kv, acc[i * KB + j]);
    }
  }
  if (d < dim) {
    __m256 qv[HB];
    for (int i = 0; i < HB; ++i) qv[i] = _mm256_maskload_ps(q + i * dim + d, mask);
    for (int j = 0; j < KB; ++j) {
      const __m256 kv = _mm256_maskload_ps(k + j * kstride + d, mask);
      for (int i = 0; i < HB; ++i) acc[i * KB + j] = _mm256_fmadd_ps(qv[i], kv, acc[i * KB + j]);
    }
  }
  const __m256 r = _mm256_mul_ps(reduce8(acc), scale);
  if constexpr (HB == 2) {
    _mm_storeu_ps(o, _mm256_castps256_ps128(r));
    _mm_storeu_ps(o + ostride, _mm256_extractf128_ps(r, 1));
  } else {
    _mm256_storeu_ps(o, r);
  }
}

[[gnu::target(CROMWELL_AVX2)]] inline float dot1(const float* q, const float* k, std::int64_t dim, std::int64_t dim8,
                                                 __m256i mask) {
  __m256 a = _mm256_setzero_ps();
  std::int64_t d = 0;
  for (; d < dim8; d += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), _mm256_loadu_ps(k + d), a);
  if (d < dim) a = _mm256_fmadd_ps(_mm256_maskload_ps(q + d, mask), _mm256_maskload_ps(k + d, mask), a);
  return vecmath::hsum(a);
}

// Heads [h0, h0 + hb) (hb = 1 or 2, one key head) against keys [tb, te).
template <Hint H, int HB>
[[gnu::target(CROMWELL_AVX2)]] inline void shd_heads(const Plan& p, const float* q, const float* k, float* o,
                                                     std::int64_t tb, std::int64_t te, bool first, Prefetcher<H>& pf) {
  const auto& s = p.s;
  constexpr int KB = 8 / HB;
  const std::int64_t dim = s.dim, dim8 = dim - dim % 8, kstride = s.kv_heads * s.dim, T = s.cache_len;
  const __m256i mask = tail_mask(dim % 8);
  const __m256 scale = _mm256_set1_ps(p.scale);
  std::int64_t t = tb;
  for (; t + KB <= te; t += KB) {
    if (first) pf.upto(k + (t + KB) * kstride);
    shd_block<HB>(q, k + t * kstride, kstride, dim, dim8, mask, o + t, T, scale);
  }
  for (; t < te; ++t) {
    if (first) pf.upto(k + (t + 1) * kstride);
    for (int i = 0; i < HB; ++i) o[i * T + t] = dot1(q + i * dim, k + t * kstride, dim, dim8, mask) * p.scale;
  }
}

template <Hint H>
[[gnu::target(CROMWELL_AVX2)]] void shd(const Plan& p, const float* q, const float* k, float* out, std::int64_t t0,
                                        std::int64_t t1) {
  const auto& s = p.s;
  const std::int64_t per_group = s.heads / s.kv_heads;
  Prefetcher<H> pf(k + t0 * s.kv_heads * s.dim, k + s.cache_len * s.kv_heads * s.dim, p.pf_bytes);
  for (std::int64_t tb = t0; tb < t1; tb += p.tile) {
    const std::int64_t te = std::min(t1, tb + p.tile);
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t g = 0; g < s.kv_heads; ++g) {
        const float* kg = k + g * s.dim;
        std::int64_t h = g * per_group;
        const std::int64_t h_end = h + per_group;
        for (; h + 2 <= h_end; h += 2) {
          const bool first = i == 0 && g == 0 && h == 0;
          shd_heads<H, 2>(p, q + (i * s.heads + h) * s.dim, kg, out + (i * s.heads + h) * s.cache_len, tb, te, first,
                          pf);
        }
        if (h < h_end) {
          const bool first = i == 0 && g == 0 && h == 0;
          shd_heads<H, 1>(p, q + (i * s.heads + h) * s.dim, kg, out + (i * s.heads + h) * s.cache_len, tb, te, first,
                          pf);
        }
      }
  }
}

// ---- hds -------------------------------------------------------------------------------------

// HV vectors of 8 heads (one key head) × KT keys. q: Q(s, 0, h0); k: K(t, 0, g); o: S(s, t, h0).
template <int HV, int KT>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void hds_bcast(const float* q, const float* k, float* o,
                                                                         std::int64_t heads, std::int64_t dim,
                                                                         std::int64_t kv_heads, __m256 scale) {
  __m256 acc[KT][HV];
  for (auto& row : acc)
    for (auto& a : row) a = _mm256_setzero_ps();
  const std::int64_t kstride = dim * kv_heads;
  for (std::int64_t d = 0; d < dim; ++d) {
    __m256 qv[HV];
    for (int i = 0; i < HV; ++i) qv[i] = _mm256_loadu_ps(q + d * heads + 8 * i);
    for (int j = 0; j < KT; ++j) {
      const __m256 kb = _mm256_broadcast_ss(k + j * kstride + d * kv_heads);
      for (int i = 0; i < HV; ++i) acc[j][i] = _mm256_fmadd_ps(qv[i], kb, acc[j][i]);
    }
  }
  for (int j = 0; j < KT; ++j)
    for (int i = 0; i < HV; ++i) _mm256_storeu_ps(o + j * heads + 8 * i, _mm256_mul_ps(acc[j][i], scale));
}

template <int HV>
[[gnu::target(CROMWELL_AVX2)]] inline void hds_bcast_tail(std::int64_t n, const float* q, const float* k, float* o,
                                                          std::int64_t heads, std::int64_t dim, std::int64_t kv_heads,
                                                          __m256 scale) {
  switch (n) {
    case 1:
      hds_bcast<HV, 1>(q, k, o, heads, dim, kv_heads, scale);
      break;
    case 2:
      hds_bcast<HV, 2>(q, k, o, heads, dim, kv_heads, scale);
      break;
    case 3:
      hds_bcast<HV, 3>(q, k, o, heads, dim, kv_heads, scale);
      break;
    case 4:
      hds_bcast<HV, 4>(q, k, o, heads, dim, kv_heads, scale);
      break;
    case 5:
      hds_bcast<HV, 5>(q, k, o, heads, dim, kv_heads, scale);
      break;
    default:
      break;
  }
}

// One vector of up to 8 heads whose key heads differ or which is partial: lane l reads
// K(t, d, g0 + idx[l]) from a masked load of the key heads [g0, g0 + gcount) and a permutation.
template <int KT>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void hds_gather(const float* q, const float* k, float* o,
                                                                          std::int64_t heads, std::int64_t dim,
                                                                          std::int64_t kv_heads, __m256i hmask,
                                                                          __m256i gmask, __m256i idx, __m256 scale) {
  __m256 acc[KT];
  for (auto& a : acc) a = _mm256_setzero_ps();
  const std::int64_t kstride = dim * kv_heads;
  for (std::int64_t d = 0; d < dim; ++d) {
    const __m256 qv = _mm256_maskload_ps(q + d * heads, hmask);
    for (int j = 0; j < KT; ++j) {
      const __m256 kv = _mm256_permutevar8x32_ps(_mm256_maskload_ps(k + j * kstride + d * kv_heads, gmask), idx);
      acc[j] = _mm256_fmadd_ps(qv, kv, acc[j]);
    }
  }
  for (int j = 0; j < KT; ++j) _mm256_maskstore_ps(o + j * heads, hmask, _mm256_mul_ps(acc[j], scale));
}

// Vectors over 8 key heads: KT keys × P group members. q: Q'(s, 0, 0, g0) (member stride G,
// d stride P·G); k: K(t, 0, g0); o: S(s, t, g0·P), where the 8·P heads of the chunk are stored
// in head order, member innermost.
template <int P, int KT>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void hds_by_kv(const float* q, const float* k, float* o,
                                                                         std::int64_t heads, std::int64_t dim,
                                                                         std::int64_t G, __m256 scale) {
  __m256 acc[KT][P];
  for (auto& row : acc)
    for (auto& a : row) a = _mm256_setzero_ps();
  const std::int64_t kstride = dim * G;
  for (std::int64_t d = 0; d < dim; ++d) {
    __m256 qv[P];
    for (int m = 0; m < P; ++m) qv[m] = _mm256_loadu_ps(q + (d * P + m) * G);
    for (int j = 0; j < KT; ++j) {
      const __m256 kv = _mm256_loadu_ps(k + j * kstride + d * G);
      for (int m = 0; m < P; ++m) acc[j][m] = _mm256_fmadd_ps(qv[m], kv, acc[j][m]);
    }
  }
  for (int j = 0; j < KT; ++j) {
    float* oj = o + j * heads;
    for (int m = 0; m < P; ++m) acc[j][m] = _mm256_mul_ps(acc[j][m], scale);
    if constexpr (P == 1) {
      _mm256_storeu_ps(oj, acc[j][0]);
    } else if constexpr (P == 2) {  // [a0 b0 a1 b1 … a7 b7]
      const __m256 lo = _mm256_unpacklo_ps(acc[j][0], acc[j][1]), hi = _mm256_unpackhi_ps(acc[j][0], acc[j][1]);
      _mm256_storeu_ps(oj, _mm256_permute2f128_ps(lo, hi, 0x20));
      _mm256_storeu_ps(oj + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    } else {  // P == 4: [a0 b0 c0 d0 a1 b1 c1 d1 …]
      const __m256 ab_lo = _mm256_unpacklo_ps(acc[j][0], acc[j][1]), ab_hi = _mm256_unpackhi_ps(acc[j][0], acc[j][1]);
      const __m256 cd_lo = _mm256_unpacklo_ps(acc[j][2], acc[j][3]), cd_hi = _mm256_unpackhi_ps(acc[j][2], acc[j][3]);
      const __m256 r0 = _mm256_shuffle_ps(ab_lo, cd_lo, 0x44), r1 = _mm256_shuffle_ps(ab_lo, cd_lo, 0xEE);
      const __m256 r2 = _mm256_shuffle_ps(ab_hi, cd_hi, 0x44), r3 = _mm256_shuffle_ps(ab_hi, cd_hi, 0xEE);
      _mm256_storeu_ps(oj, _mm256_permute2f128_ps(r0, r1, 0x20));
      _mm256_storeu_ps(oj + 8, _mm256_permute2f128_ps(r2, r3, 0x20));
      _mm256_storeu_ps(oj + 16, _mm256_permute2f128_ps(r0, r1, 0x31));
      _mm256_storeu_ps(oj + 24, _mm256_permute2f128_ps(r2, r3, 0x31));
    }
  }
}

// Keys [tb, te) of one query row and one chunk of 8 key heads: blocks of 12/P keys, then the rest
// one at a time.
template <Hint H, int P>
[[gnu::target(CROMWELL_AVX2)]] void hds_by_kv_keys(const Plan& p, const float* q, const float* k, float* o,
                                                   std::int64_t tb, std::int64_t te, bool first, Prefetcher<H>& pf) {
  const auto& s = p.s;
  const std::int64_t G = s.kv_heads, kstride = s.dim * G;
  const __m256 scale = _mm256_set1_ps(p.scale);
  constexpr int KT = 12 / P;
  std::int64_t t = tb;
  for (; t + KT <= te; t += KT) {
    if (first) pf.upto(k + (t + KT) * kstride);
    hds_by_kv<P, KT>(q, k + t * kstride, o + t * s.heads, s.heads, s.dim, G, scale);
  }
  for (; t < te; ++t) {
    if (first) pf.upto(k + (t + 1) * kstride);
    hds_by_kv<P, 1>(q, k + t * kstride, o + t * s.heads, s.heads, s.dim, G, scale);
  }
}

// Q'(s, d, m, g) = Q(s, d, g·P + m) for the query rows [i0, i1).
inline void reorder_q(const AttnScoresShape& s, const float* q, float* qm, std::int64_t i0, std::int64_t i1) {
  const std::int64_t P = s.heads / s.kv_heads, G = s.kv_heads;
  for (std::int64_t i = i0; i < i1; ++i)
    for (std::int64_t d = 0; d < s.dim; ++d) {
      const float* src = q + (i * s.dim + d) * s.heads;
      float* dst = qm + (i * s.dim + d) * s.heads;
      for (std::int64_t m = 0; m < P; ++m)
        for (std::int64_t g = 0; g < G; ++g) dst[m * G + g] = src[g * P + m];
    }
}

template <Hint H>
[[gnu::target(CROMWELL_AVX2)]] void hds(const Plan& p, const float* q, const float* k, float* out, std::int64_t t0,
                                        std::int64_t t1) {
  const auto& s = p.s;
  const std::int64_t heads = s.heads, dim = s.dim, G = s.kv_heads, per_group = heads / G, T = s.cache_len;
  const std::int64_t kstride = dim * G;
  const __m256 scale = _mm256_set1_ps(p.scale);
  Prefetcher<H> pf(k + t0 * kstride, k + T * kstride, p.pf_bytes);
  constexpr int KT = 6;
  for (std::int64_t tb = t0; tb < t1; tb += p.tile) {
    const std::int64_t te = std::min(t1, tb + p.tile);
    for (std::int64_t i = 0; i < s.seq; ++i) {
      const float* qi = q + i * dim * heads;
      float* oi = out + i * T * heads;
      if (p.q_by_member) {
        const float* qm = p.q_by_member->data() + i * dim * heads;
        for (std::int64_t g0 = 0; g0 < G; g0 += 8) {
          const bool first = i == 0 && g0 == 0;
          const float* kc = k + g0;
          float* oc = oi + g0 * per_group;
          if (per_group == 1)
            hds_by_kv_keys<H, 1>(p, qm + g0, kc, oc, tb, te, first, pf);
          else if (per_group == 2)
            hds_by_kv_keys<H, 2>(p, qm + g0, kc, oc, tb, te, first, pf);
          else
            hds_by_kv_keys<H, 4>(p, qm + g0, kc, oc, tb, te, first, pf);
        }
      } else if (per_group % 8 == 0) {
        // Every vector of 8 heads shares one key head: broadcasts.
        const std::int64_t nv = per_group / 8;
        for (std::int64_t g = 0; g < G; ++g)
          for (std::int64_t v = 0; v < nv; v += 2) {
            const std::int64_t h0 = g * per_group + 8 * v;
            const bool first = i == 0 && h0 == 0, two = v + 1 < nv;
            std::int64_t t = tb;
            for (; t + KT <= te; t += KT) {
              if (first) pf.upto(k + (t + KT) * kstride);
              if (two)
                hds_bcast<2, KT>(qi + h0, k + t * kstride + g, oi + t * heads + h0, heads, dim, G, scale);
              else
                hds_bcast<1, KT>(qi + h0, k + t * kstride + g, oi + t * heads + h0, heads, dim, G, scale);
            }
            if (t < te) {
              if (first) pf.upto(k + te * kstride);
              if (two)
                hds_bcast_tail<2>(te - t, qi + h0, k + t * kstride + g, oi + t * heads + h0, heads, dim, G, scale);
              else
                hds_bcast_tail<1>(te - t, qi + h0, k + t * kstride + g, oi + t * heads + h0, heads, dim, G, scale);
            }
          }
      } else {
        for (std::int64_t h0 = 0; h0 < heads; h0 += 8) {
          const std::int64_t n = std::min<std::int64_t>(8, heads - h0);
          const std::int64_t g0 = h0 / per_group, gn = (h0 + n - 1) / per_group - g0 + 1;
          alignas(32) int lanes[8];
          for (int l = 0; l < 8; ++l) lanes[l] = l < n ? int((h0 + l) / per_group - g0) : 0;
          const __m256i idx = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
          const __m256i hmask = tail_mask(n), gmask = tail_mask(gn);
          const bool first = i == 0 && h0 == 0;
          std::int64_t t = tb;
          for (; t + 4 <= te; t += 4) {
            if (first) pf.upto(k + (t + 4) * kstride);
            hds_gather<4>(qi + h0, k + t * kstride + g0, oi + t * heads + h0, heads, dim, G, hmask, gmask, idx, scale);
          }
          for (; t < te; ++t) {
            if (first) pf.upto(k + (t + 1) * kstride);
            hds_gather<1>(qi + h0, k + t * kstride + g0, oi + t * heads + h0, heads, dim, G, hmask, gmask, idx, scale);
          }
        }
      }
    }
  }
}

// One call: keys split among the pool's threads in contiguous ranges.
template <Hint H>
void run(const Plan& p, AttnScoresKernel::Workspace& ws, Pool& pool) {
  const auto fn = p.layout == AttnLayout::shd ? &shd<H> : &hds<H>;
  if (p.q_by_member)
    pool.parallel_for(
        p.s.seq, 1, [&](std::int64_t b, std::int64_t e) { reorder_q(p.s, ws.q.data(), p.q_by_member->data(), b, e); });
  pool.parallel_for(p.s.cache_len, 16,
                    [&](std::int64_t b, std::int64_t e) { fn(p, ws.q.data(), ws.k.data(), ws.s.data(), b, e); });
}

}  // namespace cromwell::attn_avx2
