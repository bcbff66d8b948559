#pragma once
// The AVX-512 micro-kernel that blis_loops.hpp's five loops run for gemm.avx512.
//
// MR×NR = 14×32: 28 accumulators, two zmm of B and one broadcast of A use 31 of the 32 zmm
// registers; one k-iteration is 28 FMAs against 2 loads of B and 14 broadcasts of A.
//
// Unlike blis_avx2.hpp, edge tiles go straight to C: the row count is a template parameter of the
// micro-kernel (a short tile computes only its rows) and the columns beyond nr are masked off in
// the loads and stores of C.
//
// Prefetch (params pf_c, pf_dist): the C tile is prefetched pf_c k-iterations before the end of
// the k-loop rather than before it starts (at 1024³, kc = 256, the start ran 2–4 % slower over
// several interleaved runs): lines fetched that early meet the whole k-loop's traffic, and at
// n = 1024 the 14 rows of a tile, 4 KiB apart, share L1 sets. The packed panels are prefetched
// pf_dist k-iterations ahead. Without either prefetch gemm.avx512 ran 2–6 % slower at 1024³.
//
// Blocking heuristics differ from blis_avx2.hpp in one place: only the B micro-panel
// (kc·NR·4 bytes) must fit in L1D — it is the one the 1st loop reuses; the A micro-panels stream
// from L2 — so that the default kc = 256 (32 KiB) is not pruned on 32 KiB-L1 AVX-512 machines.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"
#include "variants/gemm/blis_loops.hpp"
#include "variants/gemm/blis_plan.hpp"

namespace cromwell::blis_avx512 {

constexpr std::int64_t kMR = 14, kNR = 32;

using blis::Blocking;
using blis::blocking_of;

// Software prefetch: `c` k-iterations before the end of each micro-kernel call (c > 0), the C tile
// it is about to update; with dist > 0, every k-iteration, the packed A and B panels dist
// iterations ahead.
struct Prefetch {
  std::int64_t c = 128, dist = 4;
};

namespace detail {

// acc(M×32) += Ap(M×n) · Bp(n×32), advancing a and b past the n k-iterations; with dist > 0,
// prefetches the packed panels dist k-iterations ahead.
template <int M>
[[gnu::target(CROMWELL_AVX512), gnu::always_inline]] inline void k_loop(__m512 (&acc)[M][2], std::int64_t n,
                                                                        const float*& a, const float*& b,
                                                                        std::int64_t dist) {
#pragma GCC unroll 4
  for (std::int64_t p = 0; p < n; ++p) {
    if (dist > 0) {
      _mm_prefetch(reinterpret_cast<const char*>(a + dist * kMR), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(b + dist * kNR), _MM_HINT_T0);
    }
    const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 14
    for (int r = 0; r < M; ++r) {
      const __m512 x = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
    }
    a += kMR;
    b += kNR;
  }
}

// C(M×nr, row stride ldc) (=|+=) Ap(M×kc) · Bp(kc×32); lanes of the second (first) zmm column
// outside `m1` (`m0`) are neither read nor written. The C tile is prefetched `pf_c` k-iterations
// before the end of the k-loop (at its start when kc ≤ pf_c; not at all when pf_c = 0).
template <int M>
[[gnu::target(CROMWELL_AVX512)]] inline void micro_kernel(std::int64_t kc, const float* a, const float* b, float* c,
                                                          std::int64_t ldc, bool accumulate, __mmask16 m0, __mmask16 m1,
                                                          const Prefetch& pf) {
  __m512 acc[M][2];
#pragma GCC unroll 14
  for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  const std::int64_t head = std::max<std::int64_t>(0, kc - pf.c);
  k_loop<M>(acc, head, a, b, pf.dist);
  if (pf.c > 0)
#pragma GCC unroll 14
    for (int r = 0; r < M; ++r) {
      _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kNR - 1), _MM_HINT_T0);
    }
  k_loop<M>(acc, kc - head, a, b, pf.dist);
  if (m0 == 0xffff && m1 == 0xffff) {
#pragma GCC unroll 14
    for (int r = 0; r < M; ++r) {
      float* row = c + r * ldc;
      __m512 lo = acc[r][0], hi = acc[r][1];
      if (accumulate) {
        lo = _mm512_add_ps(lo, _mm512_loadu_ps(row));
        hi = _mm512_add_ps(hi, _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, lo);
      _mm512_storeu_ps(row + 16, hi);
    }
    return;
  }
#pragma GCC unroll 14
  for (int r = 0; r < M; ++r) {
    float* row = c + r * ldc;
    __m512 lo = acc[r][0], hi = acc[r][1];
    if (accumulate) {
      lo = _mm512_add_ps(lo, _mm512_maskz_loadu_ps(m0, row));
      hi = _mm512_add_ps(hi, _mm512_maskz_loadu_ps(m1, row + 16));
    }
    _mm512_mask_storeu_ps(row, m0, lo);
    _mm512_mask_storeu_ps(row + 16, m1, hi);
  }
}

using MicroKernel = void (*)(std::int64_t, const float*, const float*, float*, std::int64_t, bool, __mmask16, __mmask16,
                             const Prefetch&);

template <int... M>
constexpr auto make_kernels(std::integer_sequence<int, M...>) {
  return std::array<MicroKernel, sizeof...(M)>{&micro_kernel<M + 1>...};
}
// kernels[mr - 1] computes mr rows.
inline constexpr auto kernels = make_kernels(std::make_integer_sequence<int, kMR>{});

// v[0..15] := its transpose (v[j] lane i = old v[i] lane j): unpack pairs of rows, then 4×4
// blocks within 128-bit lanes, then the lanes themselves. (The zero-masking forms keep GCC 12
// from warning about the undefined vector the unmasked intrinsics start from.)
[[gnu::target(CROMWELL_AVX512), gnu::always_inline]] inline void transpose16(__m512 v[16]) {
  constexpr __mmask16 all = 0xffff;
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_maskz_unpacklo_ps(all, v[2 * i], v[2 * i + 1]);
    t[2 * i + 1] = _mm512_maskz_unpackhi_ps(all, v[2 * i], v[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {  // u[4i+q] lane L = column 4L+q of rows 4i..4i+3
    u[4 * i + 0] = _mm512_maskz_shuffle_ps(all, t[4 * i + 0], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_maskz_shuffle_ps(all, t[4 * i + 0], t[4 * i + 2], 0xee);
    u[4 * i + 2] = _mm512_maskz_shuffle_ps(all, t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_maskz_shuffle_ps(all, t[4 * i + 1], t[4 * i + 3], 0xee);
  }
  for (int q = 0; q < 4; ++q) {
    const __m512 x0 = _mm512_maskz_shuffle_f32x4(all, u[q], u[4 + q], 0x88);
    const __m512 x1 = _mm512_maskz_shuffle_f32x4(all, u[q], u[4 + q], 0xdd);
    const __m512 y0 = _mm512_maskz_shuffle_f32x4(all, u[8 + q], u[12 + q], 0x88);
    const __m512 y1 = _mm512_maskz_shuffle_f32x4(all, u[8 + q], u[12 + q], 0xdd);
    v[q] = _mm512_maskz_shuffle_f32x4(all, x0, y0, 0x88);
    v[4 + q] = _mm512_maskz_shuffle_f32x4(all, x1, y1, 0x88);
    v[8 + q] = _mm512_maskz_shuffle_f32x4(all, x0, y0, 0xdd);
    v[12 + q] = _mm512_maskz_shuffle_f32x4(all, x1, y1, 0xdd);
  }
}

// Ap: rows [0, mc) × cols [0, kc) of A (row stride lda) into MR-tall micro-panels, zero-padded.
// Full panels go 16 k-values at a time: 14 rows of 16 (and two of zeros) are transposed in
// registers and stored as 16 columns of 14 (masked stores). Short panels and the last kc % 16
// columns go element by element.
[[gnu::target(CROMWELL_AVX512)]] inline void pack_a(std::int64_t mc, std::int64_t kc, const float* a, std::int64_t lda,
                                                    float* ap) {
  constexpr __mmask16 mr_lanes = (1u << kMR) - 1;
  for (std::int64_t ir = 0; ir < mc; ir += kMR) {
    const std::int64_t mr = std::min(kMR, mc - ir);
    const float* rows[kMR];
    for (std::int64_t r = 0; r < kMR; ++r) rows[r] = a + (ir + std::min(r, mr - 1)) * lda;
    std::int64_t p = 0;
    if (mr == kMR)
      for (; p + 16 <= kc; p += 16) {
        __m512 v[16];
        for (int r = 0; r < kMR; ++r) v[r] = _mm512_loadu_ps(rows[r] + p);
        v[14] = v[15] = _mm512_setzero_ps();
        transpose16(v);
        for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(ap + j * kMR, mr_lanes, v[j]);
        ap += 16 * kMR;
      }
    for (; p < kc; ++p)
      for (std::int64_t r = 0; r < kMR; ++r) *ap++ = r < mr ? rows[r][p] : 0.0f;
  }
}

// The masks of the two zmm columns of a tile (or B micro-panel) nr ≤ NR columns wide.
inline std::pair<__mmask16, __mmask16> column_masks(std::int64_t nr) {
  const auto lanes = [](std::int64_t n) -> __mmask16 { return n >= 16 ? 0xffff : n <= 0 ? 0 : (1u << n) - 1; };
  return {lanes(nr), lanes(nr - 16)};
}

// Bp: rows [0, kc) × cols [0, nc) of B (row stride ldb) into NR-wide micro-panels, zero-padded.
[[gnu::target(CROMWELL_AVX512)]] inline void pack_b(std::int64_t kc, std::int64_t nc, const float* b, std::int64_t ldb,
                                                    float* bp) {
  for (std::int64_t jr = 0; jr < nc; jr += kNR) {
    const auto [m0, m1] = column_masks(std::min(kNR, nc - jr));
    for (std::int64_t p = 0; p < kc; ++p) {
      const float* src = b + p * ldb + jr;
      _mm512_store_ps(bp, _mm512_maskz_loadu_ps(m0, src));
      _mm512_store_ps(bp + 16, _mm512_maskz_loadu_ps(m1, src + 16));
      bp += kNR;
    }
  }
}

// What blis::loops() needs from AVX-512: the micro-kernels with prefetch `pf` and the packing
// above; a tile cut short goes to the kernel of its row count with the columns masked.
struct Ukr {
  static constexpr std::int64_t kMR = blis_avx512::kMR, kNR = blis_avx512::kNR;
  Prefetch pf;

  [[gnu::target(CROMWELL_AVX512)]] static void pack_a(std::int64_t mc, std::int64_t kc, const float* a,
                                                      std::int64_t lda, float* ap) {
    detail::pack_a(mc, kc, a, lda, ap);
  }
  [[gnu::target(CROMWELL_AVX512)]] static void pack_b(std::int64_t kc, std::int64_t nc, const float* b,
                                                      std::int64_t ldb, float* bp) {
    detail::pack_b(kc, nc, b, ldb, bp);
  }
  [[gnu::target(CROMWELL_AVX512)]] void tile(std::int64_t kc, const float* a, const float* b, float* c,
                                             std::int64_t ldc, bool accumulate) const {
    micro_kernel<kMR>(kc, a, b, c, ldc, accumulate, 0xffff, 0xffff, pf);
  }
  [[gnu::target(CROMWELL_AVX512)]] void edge(std::int64_t mr, std::int64_t nr, std::int64_t kc, const float* a,
                                             const float* b, float* c, std::int64_t ldc, bool accumulate) const {
    const auto [m0, m1] = column_masks(nr);
    kernels[mr - 1](kc, a, b, c, ldc, accumulate, m0, m1, pf);
  }
};

// The five loops compiled for AVX-512 around Ukr (see blis_loops.hpp).
[[gnu::target(CROMWELL_AVX512), gnu::flatten]] inline void gemm_loops(const Ukr& uk, const blis::Task& t) {
  blis::loops(uk, t);
}

}  // namespace detail

// The call: each of the pool's threads runs the five loops on its share of C.
inline Runnable<GemmKernel> prepare(const GemmShape& s, const Blocking& requested, const Prefetch& pf, Pool& pool) {
  return blis::runnable(s, requested, pool, &detail::gemm_loops, detail::Ukr{pf});
}

inline std::vector<Param> blocking_params() {
  return {Param::integer("mc", 1, 4096, {168, 252, 336, 504}, 336, "rows of A",
                         "rows of the packed A block (L2-resident); a multiple of MR=14"),
          Param::integer("kc", 1, 4096, {192, 256, 384}, 256, "k-iterations",
                         "depth of the packed panels (B micro-panel in L1)"),
          Param::integer("nc", 1, 16384, {1024, 2048, 4096}, 2048, "columns of B",
                         "columns of the packed B panel (L3-resident); a multiple of NR=32"),
          Param::integer("pf_c", 0, 4096, {0, 32, 64, 128}, 128, "k-iterations",
                         "prefetch of the C tile this many k-iterations before the end of the k-loop; 0 = none"),
          Param::integer("pf_dist", 0, 256, {0, 4, 8}, 4, "k-iterations",
                         "prefetch distance ahead in the packed A and B micro-panels; 0 = none")};
}

// The blocking constraints of blis_plan.hpp, and the L1 rule of this micro-kernel.
inline std::vector<Constraint> blocking_constraints() {
  std::vector<Constraint> all = blis::blocking_constraints(kMR, kNR);
  all.push_back({"B-micro-panel-fits-L1", Constraint::Kind::heuristic,
                 [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
                   const auto bytes = p.integer("kc") * kNR * 4;
                   return bytes > c.l1d ? fmt::format("B micro-panel (kc·NR·4 = {} KiB) exceeds L1D ({} KiB)",
                                                      bytes >> 10, c.l1d >> 10)
                                        : "";
                 }});
  return all;
}

inline Prefetch prefetch_of(const ParamValues& p) { return {p.integer("pf_c"), p.integer("pf_dist")}; }

}  // namespace cromwell::blis_avx512
