#pragma once
// The five loops around an AVX2/FMA micro-kernel, in the manner of BLIS, shared by gemm.avx2 and
// gemm.avx2_prefetch (which differ only in the Prefetch they pass).
//
//   for jc in [n0, n1) step nc:                       5th loop: a kc×nc panel of B ...
//     for pc in [0, k) step kc:                       4th loop: ... packed into NR-wide micro-panels
//       pack B[pc:pc+kc, jc:jc+nc] → Bp                 (L3-resident)
//       for ic in [0, m) step mc:                     3rd loop: an mc×kc block of A ...
//         pack A[ic:ic+mc, pc:pc+kc] → Ap               ... in MR-tall micro-panels (L2-resident)
//         for jr in [0, nc) step NR:                  2nd loop: one micro-panel of B (L1-resident)
//           for ir in [0, mc) step MR:                1st loop: one micro-panel of A
//             C[ir:ir+MR, jr:jr+NR] (=|+=) Ap_ir · Bp_jr     micro-kernel, 12 ymm accumulators
//
// Micro-kernel contract: C(MR×NR) := (pc == 0 ? 0 : C) + Ap·Bp, Ap an MR×kc micro-panel stored
// by columns (MR consecutive floats per k), Bp a kc×NR micro-panel stored by rows (NR per k).
// Edge tiles (m or n not multiples of MR, NR) are computed into a stack tile and copied out, and
// packing pads with zeros, so the kernel itself has no edge cases. When pc == 0, C is written
// without being read (beta = 0: C may hold NaN). No alignment of A, B or C is assumed; the
// packed buffers are 64-byte aligned.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"
#include "variants/gemm/blis_plan.hpp"
#include "variants/prefetch.hpp"

namespace cromwell::blis_avx2 {

constexpr std::int64_t kMR = 6, kNR = 16;

// Software prefetch of the packed panels: `dist` k-iterations ahead (one k-iteration of the
// micro-kernel reads one 64-byte line of Bp and 24 bytes of Ap); dist 0 = no prefetch.
using prefetch::Hint;
struct Prefetch {
  Hint hint = Hint::none;
  std::int64_t dist = 0;
};

using blis::Blocking;
using blis::blocking_of;

namespace detail {

// C(6×16, row stride ldc) (=|+=) Ap(6×kc) · Bp(kc×16).
template <Hint H>
[[gnu::target(CROMWELL_AVX2)]] inline void micro_kernel(std::int64_t kc, const float* __restrict a,
                                                        const float* __restrict b, float* c, std::int64_t ldc,
                                                        bool accumulate, std::int64_t dist) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps(),
         c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(),
         c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  if constexpr (H != Hint::none)
    for (int r = 0; r < kMR; ++r) {
      prefetch::line<H>(c + r * ldc);
      prefetch::line<H>(c + r * ldc + kNR - 1);
    }
#pragma GCC unroll 4
  for (std::int64_t p = 0; p < kc; ++p) {
    if constexpr (H != Hint::none) {
      prefetch::line<H>(b + dist * kNR);
      prefetch::line<H>(a + dist * kMR);
    }
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 x = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    c51 = _mm256_fmadd_ps(x, b1, c51);
    a += kMR;
    b += kNR;
  }
  const __m256 acc[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < kMR; ++r) {
    float* row = c + r * ldc;
    __m256 lo = acc[r][0], hi = acc[r][1];
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(row));
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8));
    }
    _mm256_storeu_ps(row, lo);
    _mm256_storeu_ps(row + 8, hi);
  }
}

// Ap: rows [0, mc) × cols [0, kc) of A (row stride lda) into MR-tall micro-panels, zero-padded.
[[gnu::target(CROMWELL_AVX2)]] inline void pack_a(std::int64_t mc, std::int64_t kc, const float* a, std::int64_t lda,
                                                  float* ap) {
  for (std::int64_t ir = 0; ir < mc; ir += kMR) {
    const std::int64_t mr = std::min(kMR, mc - ir);
    const float* rows[kMR];
    for (std::int64_t r = 0; r < kMR; ++r) rows[r] = a + (ir + std::min(r, mr - 1)) * lda;
    for (std::int64_t p = 0; p < kc; ++p)
      for (std::int64_t r = 0; r < kMR; ++r) *ap++ = r < mr ? rows[r][p] : 0.0f;
  }
}

// Bp: rows [0, kc) × cols [0, nc) of B (row stride ldb) into NR-wide micro-panels, zero-padded.
[[gnu::target(CROMWELL_AVX2)]] inline void pack_b(std::int64_t kc, std::int64_t nc, const float* b, std::int64_t ldb,
                                                  float* bp) {
  for (std::int64_t jr = 0; jr < nc; jr += kNR) {
    const std::int64_t nr = std::min(kNR, nc - jr);
    if (nr == kNR) {
      for (std::int64_t p = 0; p < kc; ++p) {
        const float* src = b + p * ldb + jr;
        _mm256_store_ps(bp, _mm256_loadu_ps(src));
        _mm256_store_ps(bp + 8, _mm256_loadu_ps(src + 8));
        bp += kNR;
      }
    } else {
      for (std::int64_t p = 0; p < kc; ++p) {
        const float* src = b + p * ldb + jr;
        for (std::int64_t j = 0; j < kNR; ++j) *bp++ = j < nr ? src[j] : 0.0f;
      }
    }
  }
}

template <Hint H>
[[gnu::target(CROMWELL_AVX2)]] void macro_kernel(std::int64_t mc, std::int64_t nc, std::int64_t kc, const float* ap,
                                                 const float* bp, float* c, std::int64_t ldc, bool accumulate,
                                                 std::int64_t dist) {
  alignas(64) float tile[kMR * kNR];
  for (std::int64_t jr = 0; jr < nc; jr += kNR) {
    const std::int64_t nr = std::min(kNR, nc - jr);
    for (std::int64_t ir = 0; ir < mc; ir += kMR) {
      const std::int64_t mr = std::min(kMR, mc - ir);
      const float* a = ap + ir * kc;
      const float* b = bp + jr * kc;
      float* cij = c + ir * ldc + jr;
      if (mr == kMR && nr == kNR) {
        micro_kernel<H>(kc, a, b, cij, ldc, accumulate, dist);
        continue;
      }
      micro_kernel<H>(kc, a, b, tile, kNR, false, dist);
      for (std::int64_t r = 0; r < mr; ++r)
        for (std::int64_t j = 0; j < nr; ++j)
          cij[r * ldc + j] = accumulate ? cij[r * ldc + j] + tile[r * kNR + j] : tile[r * kNR + j];
    }
  }
}

template <Hint H>
[[gnu::target(CROMWELL_AVX2)]] void gemm_loops(const GemmShape& s, const Blocking& bl, const float* a, const float* b,
                                               float* c, std::int64_t m0, std::int64_t m1, std::int64_t n0,
                                               std::int64_t n1, float* ap, float* bp, std::int64_t dist) {
  for (std::int64_t jc = n0; jc < n1; jc += bl.nc) {
    const std::int64_t nc = std::min(bl.nc, n1 - jc);
    for (std::int64_t pc = 0; pc < s.k; pc += bl.kc) {
      const std::int64_t kc = std::min(bl.kc, s.k - pc);
      pack_b(kc, nc, b + pc * s.n + jc, s.n, bp);
      for (std::int64_t ic = m0; ic < m1; ic += bl.mc) {
        const std::int64_t mc = std::min(bl.mc, m1 - ic);
        pack_a(mc, kc, a + ic * s.k + pc, s.k, ap);
        macro_kernel<H>(mc, nc, kc, ap, bp, c + ic * s.n + jc, s.n, pc > 0, dist);
      }
    }
  }
}

}  // namespace detail

// The call: each of the pool's threads runs the five loops on its share of C (blis_plan.hpp).
inline Runnable<GemmKernel> prepare(const GemmShape& s, const Blocking& requested, const Prefetch& pf, Pool& pool) {
  const blis::Plan plan(s, requested, pool.size(), kMR, kNR);
  const auto loops =
      prefetch::dispatch(pf.dist > 0 ? pf.hint : Hint::none, []<Hint H>() { return &detail::gemm_loops<H>; });
  const std::int64_t dist = pf.dist;
  return [s, plan, loops, dist, &pool](GemmWorkspace& ws) {
    pool.run([&](int t) {
      plan.share(t, [&](std::int64_t m0, std::int64_t m1, std::int64_t n0, std::int64_t n1, float* ap, float* bp) {
        loops(s, plan.bl, ws.a.data(), ws.b.data(), ws.c.data(), m0, m1, n0, n1, ap, bp, dist);
      });
    });
  };
}

// The block-size parameters and their constraints, shared by both variants.
inline std::vector<Param> blocking_params() {
  return {Param::integer("mc", 1, 4096, {72, 144, 192, 256}, 144, "rows of A",
                         "rows of the packed A block (L2-resident); a multiple of MR=6"),
          Param::integer("kc", 1, 4096, {256, 384, 512}, 256, "k-iterations",
                         "depth of the packed panels (B micro-panel in L1)"),
          Param::integer("nc", 1, 16384, {2048, 4096}, 4096, "columns of B",
                         "columns of the packed B panel (L3-resident); a multiple of NR=16")};
}

// The blocking constraints of blis_plan.hpp, and the L1 rule of this micro-kernel.
inline std::vector<Constraint> blocking_constraints() {
  std::vector<Constraint> all = blis::blocking_constraints(kMR, kNR);
  all.push_back({"micro-panels-fit-L1", Constraint::Kind::heuristic,
                 [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
                   const auto bytes = p.integer("kc") * (kMR + kNR) * 4;
                   return bytes > c.l1d
                              ? fmt::format("A and B micro-panels (kc·(MR+NR)·4 = {} KiB) exceed L1D ({} KiB)",
                                            bytes >> 10, c.l1d >> 10)
                              : "";
                 }});
  return all;
}

}  // namespace cromwell::blis_avx2
