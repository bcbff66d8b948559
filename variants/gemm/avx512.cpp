// gemm.avx512 — gemm.avx2 with AVX-512: the same five BLIS loops (blis_loops.hpp) around a 14×32
// micro-kernel (blis_avx512.hpp) with 28 zmm accumulators (against 6×16 and 12 ymm), edge tiles
// written straight to C with short-tile kernels and masked stores, packed A transposed 16×16 in
// registers, and software prefetch of the C tile and of the packed panels on by default.
//   mc       rows of the packed A block (L2-resident), a multiple of MR = 14
//   kc       depth of the packed panels in k-iterations (the B micro-panel, kc·32·4 bytes, sits in L1)
//   nc       columns of the packed B panel (L3-resident), a multiple of NR = 32
//   pf_c     the C tile is prefetched this many k-iterations before the end of each micro-kernel's
//            k-loop (one k-iteration is 28 FMAs, about 14 cycles); 0 = no prefetch of C
//   pf_dist  prefetch distance ahead in the packed A and B micro-panels, in k-iterations (one
//            iteration reads 128 bytes of packed B and 56 of packed A); 0 = none
// Defaults (mc 336, kc 256, nc 2048, pf_c 128, pf_dist 4) were chosen at 1024³ and at the prefill
// shape 128×5632×2048, one thread, on a Zen 5 core (L1D 48 KiB, L2 1 MiB): mc and kc barely
// matter there, the two prefetches do (without them: 2–6 % slower at 1024³), and nc 2048 rather than
// 4096 gains 2 % at the prefill shape.
// With threads > 1 each thread takes a share of C's columns (or rows, when C is narrow) and
// packs its own panels.
#include "variants/gemm/blis_avx512.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemmKernel>({
    .name = "avx512",
    .summary = "gemm.avx2 with AVX-512: 14×32 micro-kernel, 28 zmm accumulators, masked edges",
    .isa = CROMWELL_AVX512,
    .space = {.params = blis_avx512::blocking_params(), .constraints = blis_avx512::blocking_constraints()},
    .prepare =
        [](const GemmShape& s, const ParamValues& p, Pool& pool) {
          return blis_avx512::prepare(s, blis_avx512::blocking_of(p), blis_avx512::prefetch_of(p), pool);
        },
});

}  // namespace
}  // namespace cromwell
