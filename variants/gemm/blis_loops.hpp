#pragma once
// The five loops around a micro-kernel, in the manner of BLIS, written once for gemm.avx2 and
// gemm.avx2_prefetch (blis_avx2.hpp) and gemm.avx512 (blis_avx512.hpp):
//
//   for jc in [n0, n1) step nc:                       5th loop: a kc×nc panel of B ...
//     for pc in [0, k) step kc:                       4th loop: ... packed into NR-wide micro-panels
//       pack B[pc:pc+kc, jc:jc+nc] → Bp                 (L3-resident)
//       for ic in [m0, m1) step mc:                   3rd loop: an mc×kc block of A ...
//         pack A[ic:ic+mc, pc:pc+kc] → Ap               ... in MR-tall micro-panels (L2-resident)
//         for jr in [0, nc) step NR:                  2nd loop: one micro-panel of B (L1-resident)
//           for ir in [0, mc) step MR:                1st loop: one micro-panel of A
//             C[ir:ir+MR, jr:jr+NR] (=|+=) Ap_ir · Bp_jr     micro-kernel
//
// [m0, m1) × [n0, n1) is one thread's share of C (blis_plan.hpp). Micro-kernel contract:
// C(MR×NR) := (pc == 0 ? 0 : C) + Ap·Bp, Ap an MR×kc micro-panel stored by columns (MR
// consecutive floats per k), Bp a kc×NR micro-panel stored by rows (NR per k), both zero-padded
// by packing. When pc == 0, C is written without being read (beta = 0: C may hold NaN). No
// alignment of A, B or C is assumed; the packed buffers are 64-byte aligned.
//
// What an ISA brings is a type Ukr, passed as an object uk that holds its run-time settings
// (prefetch distances):
//   Ukr::kMR, Ukr::kNR                                 the micro-tile
//   uk.pack_a(mc, kc, a, lda, Ap)                      A block → MR-tall micro-panels, zero-padded
//   uk.pack_b(kc, nc, b, ldb, Bp)                      B panel → NR-wide micro-panels, zero-padded
//   uk.tile(kc, Ap_ir, Bp_jr, c, ldc, accumulate)      a whole MR×NR tile of C
//   uk.edge(mr, nr, kc, Ap_ir, Bp_jr, c, ldc, accumulate)
//                                                      a tile cut short (mr < MR or nr < NR):
//                                                      only its mr×nr elements of C are touched
//
// How it is compiled: loops() has no target attribute and is always inlined. Each ISA
// instantiates it in a wrapper of its own, [[gnu::target(ISA), gnu::flatten]], whose body is the
// call loops(uk, task). The members of Ukr carry the ISA's target attribute and cannot be
// always_inline: GCC and Clang refuse an always_inline callee whose target options are not a
// subset of its caller's, and loops() on its own has the baseline ones. GCC's flatten inlines
// them, and what they call, into the wrapper, so that the only calls left in the loops are those
// an ISA makes through a pointer (AVX-512's short tiles); `objdump -d` of a wrapper shows any
// other. (Clang's flatten does not recurse: there the AVX-512 micro-kernel stays a call.)
#include <algorithm>
#include <cstdint>

#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"
#include "variants/gemm/blis_plan.hpp"

namespace cromwell::blis {

// One thread's work: rows [m0, m1) and columns [n0, n1) of C = A·B, packed into its own buffers.
struct Task {
  GemmShape s;
  Blocking bl;
  const float* a;
  const float* b;
  float* c;
  std::int64_t m0, m1, n0, n1;
  float* ap;
  float* bp;
};

template <class Ukr>
[[gnu::always_inline]] inline void loops(const Ukr& uk, const Task& t) {
  constexpr std::int64_t kMR = Ukr::kMR, kNR = Ukr::kNR;
  const std::int64_t k = t.s.k, n = t.s.n;  // lda = k, ldb = ldc = n
  for (std::int64_t jc = t.n0; jc < t.n1; jc += t.bl.nc) {
    const std::int64_t nc = std::min(t.bl.nc, t.n1 - jc);
    for (std::int64_t pc = 0; pc < k; pc += t.bl.kc) {
      const std::int64_t kc = std::min(t.bl.kc, k - pc);
      const bool accumulate = pc > 0;
      uk.pack_b(kc, nc, t.b + pc * n + jc, n, t.bp);
      for (std::int64_t ic = t.m0; ic < t.m1; ic += t.bl.mc) {
        const std::int64_t mc = std::min(t.bl.mc, t.m1 - ic);
        uk.pack_a(mc, kc, t.a + ic * k + pc, k, t.ap);
        float* const c = t.c + ic * n + jc;
        for (std::int64_t jr = 0; jr < nc; jr += kNR) {
          const std::int64_t nr = std::min(kNR, nc - jr);
          const float* const bp = t.bp + jr * kc;
          for (std::int64_t ir = 0; ir < mc; ir += kMR) {
            const std::int64_t mr = std::min(kMR, mc - ir);
            const float* const ap = t.ap + ir * kc;
            float* const cij = c + ir * n + jr;
            if (mr == kMR && nr == kNR)
              uk.tile(kc, ap, bp, cij, n, accumulate);
            else
              uk.edge(mr, nr, kc, ap, bp, cij, n, accumulate);
          }
        }
      }
    }
  }
}

// An ISA's wrapper around loops(): [[gnu::target(ISA), gnu::flatten]] void f(const Ukr&, const Task&).
template <class Ukr>
using LoopsFn = void (*)(const Ukr&, const Task&);

// The call: each of the pool's threads runs `run` on its share of C (blis_plan.hpp).
template <class Ukr>
Runnable<GemmKernel> runnable(const GemmShape& s, const Blocking& requested, Pool& pool, LoopsFn<Ukr> run,
                              const Ukr& uk) {
  const Plan plan(s, requested, pool.size(), Ukr::kMR, Ukr::kNR);
  return [s, plan, run, uk, &pool](GemmWorkspace& ws) {
    pool.run([&](int t) {
      plan.share(t, [&](std::int64_t m0, std::int64_t m1, std::int64_t n0, std::int64_t n1, float* ap, float* bp) {
        run(uk, {s, plan.bl, ws.a.data(), ws.b.data(), ws.c.data(), m0, m1, n0, n1, ap, bp});
      });
    });
  };
}

}  // namespace cromwell::blis
