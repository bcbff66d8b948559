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

#include "harness/registry.hpp"
#include "kernels/gemm.hpp"
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

struct Blocking {
  std::int64_t mc, kc, nc;
};

namespace detail {

// C(6×16, row stride ldc) (=|+=) Ap(6×kc) · Bp(kc×16).
template <Hint H>
[[gnu::target("avx2,fma")]] inline void micro_kernel(std::int64_t kc, const float* __restrict a,
                                                     const float* __restrict b, float* c, std::int64_t ldc,
                                                     bool accumulate, std::int64_t dist) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(),
         c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
         c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(),
         c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
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
[[gnu::target("avx2,fma")]] inline void pack_a(std::int64_t mc, std::int64_t kc, const float* a, std::int64_t lda,
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
[[gnu::target("avx2,fma")]] inline void pack_b(std::int64_t kc, std::int64_t nc, const float* b, std::int64_t ldb,
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
[[gnu::target("avx2,fma")]] void macro_kernel(std::int64_t mc, std::int64_t nc, std::int64_t kc, const float* ap,
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
[[gnu::target("avx2,fma")]] void gemm_loops(const GemmShape& s, const Blocking& bl, const float* a,
                                            const float* b, float* c, std::int64_t m0, std::int64_t m1,
                                            std::int64_t n0, std::int64_t n1, float* ap, float* bp,
                                            std::int64_t dist) {
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

inline std::int64_t round_up(std::int64_t x, std::int64_t to) { return (x + to - 1) / to * to; }

struct AlignedFree {
  void operator()(float* p) const { std::free(p); }
};

// Per-thread packing buffers, allocated once in prepare.
struct Scratch {
  std::vector<std::unique_ptr<float[], AlignedFree>> a, b;
};

}  // namespace detail

// Splits the work among the pool's threads (by columns of C in NR multiples when n is wide enough,
// else by rows in MR multiples) and returns the call. Each thread packs its own panels.
inline Runnable<GemmKernel> prepare(const GemmShape& s, const Blocking& requested, const Prefetch& pf, Pool& pool) {
  using namespace detail;
  const int threads = pool.size();
  const bool split_n = s.n >= 4 * kNR * threads || s.m < kMR * threads;
  const std::int64_t n_share = split_n ? round_up((s.n + threads - 1) / threads, kNR) : s.n;
  const std::int64_t m_share = split_n ? s.m : round_up((s.m + threads - 1) / threads, kMR);
  const Blocking bl{std::min(requested.mc, round_up(m_share, kMR)), std::min(requested.kc, s.k),
                    std::min(requested.nc, round_up(n_share, kNR))};
  auto scratch = std::make_shared<Scratch>();
  for (int t = 0; t < threads; ++t) {
    const auto abytes = static_cast<std::size_t>(round_up(bl.mc, kMR) * bl.kc * 4);
    const auto bbytes = static_cast<std::size_t>(round_up(bl.nc, kNR) * bl.kc * 4);
    scratch->a.emplace_back(static_cast<float*>(std::aligned_alloc(64, round_up(abytes, 64))));
    scratch->b.emplace_back(static_cast<float*>(std::aligned_alloc(64, round_up(bbytes, 64))));
    if (!scratch->a.back() || !scratch->b.back()) throw std::bad_alloc();
  }
  const auto loops = prefetch::dispatch(pf.dist > 0 ? pf.hint : Hint::none, []<Hint H>() { return &gemm_loops<H>; });
  const std::int64_t dist = pf.dist;
  return [s, bl, scratch, loops, dist, split_n, n_share, m_share, &pool](GemmWorkspace& ws) {
    pool.run([&](int t) {
      const std::int64_t n0 = split_n ? std::min(s.n, t * n_share) : 0;
      const std::int64_t n1 = split_n ? std::min(s.n, n0 + n_share) : s.n;
      const std::int64_t m0 = split_n ? 0 : std::min(s.m, t * m_share);
      const std::int64_t m1 = split_n ? s.m : std::min(s.m, m0 + m_share);
      if (n0 < n1 && m0 < m1)
        loops(s, bl, ws.a.data(), ws.b.data(), ws.c.data(), m0, m1, n0, n1, scratch->a[t].get(),
              scratch->b[t].get(), dist);
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

inline std::vector<Constraint> blocking_constraints() {
  using K = Constraint::Kind;
  return {
      {"mc-multiple-of-MR", K::validity,
       [](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
         const auto mc = p.integer("mc");
         return mc % kMR ? fmt::format("mc={} must be a multiple of MR={}", mc, kMR) : "";
       }},
      {"nc-multiple-of-NR", K::validity,
       [](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
         const auto nc = p.integer("nc");
         return nc % kNR ? fmt::format("nc={} must be a multiple of NR={}", nc, kNR) : "";
       }},
      {"micro-panels-fit-L1", K::heuristic,
       [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
         const auto bytes = p.integer("kc") * (kMR + kNR) * 4;
         return bytes > c.l1d ? fmt::format("A and B micro-panels (kc·(MR+NR)·4 = {} KiB) exceed L1D ({} KiB)",
                                            bytes >> 10, c.l1d >> 10)
                              : "";
       }},
      {"A-block-fits-half-L2", K::heuristic,
       [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
         const auto bytes = p.integer("mc") * p.integer("kc") * 4;
         return bytes > c.l2 / 2 ? fmt::format("packed A block (mc·kc·4 = {} KiB) exceeds half of L2 ({} KiB)",
                                               bytes >> 10, c.l2 >> 10)
                                 : "";
       }},
      {"B-panel-fits-half-L3", K::heuristic,
       [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
         const auto bytes = p.integer("kc") * p.integer("nc") * 4;
         return bytes > c.l3 / 2 ? fmt::format("packed B panel (kc·nc·4 = {} KiB) exceeds half of L3 ({} KiB)",
                                               bytes >> 10, c.l3 >> 10)
                                 : "";
       }},
  };
}

inline Blocking blocking_of(const ParamValues& p) { return {p.integer("mc"), p.integer("kc"), p.integer("nc")}; }

}  // namespace cromwell::blis_avx2
