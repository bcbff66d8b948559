#pragma once
// The AVX2/FMA micro-kernel that blis_loops.hpp's five loops run for gemm.avx2 and
// gemm.avx2_prefetch (which differ only in the Prefetch they pass): MR×NR = 6×16, 12 ymm
// accumulators, two ymm of B and one broadcast of A (15 of the 16 ymm registers).
//
// Edge tiles (m or n not multiples of MR, NR) are computed whole into a stack tile and the part
// inside C is copied out, and packing pads with zeros, so the micro-kernel itself has no edge
// cases.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"
#include "variants/gemm/blis_loops.hpp"
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

// What blis::loops() needs from AVX2: the micro-kernel with prefetch hint H, `dist` k-iterations
// ahead, and the packing above; a tile cut short is computed into a stack tile and copied out.
template <Hint H>
struct Ukr {
  static constexpr std::int64_t kMR = blis_avx2::kMR, kNR = blis_avx2::kNR;
  std::int64_t dist = 0;

  [[gnu::target(CROMWELL_AVX2)]] static void pack_a(std::int64_t mc, std::int64_t kc, const float* a, std::int64_t lda,
                                                    float* ap) {
    detail::pack_a(mc, kc, a, lda, ap);
  }
  [[gnu::target(CROMWELL_AVX2)]] static void pack_b(std::int64_t kc, std::int64_t nc, const float* b, std::int64_t ldb,
                                                    float* bp) {
    detail::pack_b(kc, nc, b, ldb, bp);
  }
  [[gnu::target(CROMWELL_AVX2)]] void tile(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc,
                                           bool accumulate) const {
    micro_kernel<H>(kc, a, b, c, ldc, accumulate, dist);
  }
  [[gnu::target(CROMWELL_AVX2)]] void edge(std::int64_t mr, std::int64_t nr, std::int64_t kc, const float* a,
                                           const float* b, float* c, std::int64_t ldc, bool accumulate) const {
    alignas(64) float t[kMR * kNR];
    micro_kernel<H>(kc, a, b, t, kNR, false, dist);
    for (std::int64_t r = 0; r < mr; ++r)
      for (std::int64_t j = 0; j < nr; ++j)
        c[r * ldc + j] = accumulate ? c[r * ldc + j] + t[r * kNR + j] : t[r * kNR + j];
  }
};

// The five loops compiled for AVX2 around Ukr<H> (see blis_loops.hpp).
template <Hint H>
[[gnu::target(CROMWELL_AVX2), gnu::flatten]] void gemm_loops(const Ukr<H>& uk, const blis::Task& t) {
  blis::loops(uk, t);
}

}  // namespace detail

// The call: each of the pool's threads runs the five loops on its share of C.
inline Runnable<GemmKernel> prepare(const GemmShape& s, const Blocking& requested, const Prefetch& pf, Pool& pool) {
  return prefetch::dispatch(pf.dist > 0 ? pf.hint : Hint::none, [&]<Hint H>() {
    return blis::runnable(s, requested, pool, &detail::gemm_loops<H>, detail::Ukr<H>{pf.dist});
  });
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
