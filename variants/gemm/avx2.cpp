// gemm.avx2 — what gemm.blocked does with one cache level, done for every level and with AVX2:
// the five BLIS loops (blis_loops.hpp) with packed A and B and a 6×16 register-blocked FMA
// micro-kernel (blis_avx2.hpp). No software prefetch (see gemm.avx2_prefetch).
//   mc  rows of the packed A block (L2-resident), a multiple of MR = 6
//   kc  depth of the packed panels in k-iterations (the B micro-panel, kc·16·4 bytes, sits in L1)
//   nc  columns of the packed B panel (L3-resident), a multiple of NR = 16
// With threads > 1 each thread takes a share of C's columns (or rows, when C is narrow) and
// packs its own panels.
#include "variants/gemm/blis_avx2.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemmKernel>({
    .name = "avx2",
    .summary = "BLIS-style five loops, packed panels, 6×16 AVX2/FMA micro-kernel",
    .isa = CROMWELL_AVX2,
    .space = {.params = blis_avx2::blocking_params(), .constraints = blis_avx2::blocking_constraints()},
    .prepare = [](const GemmShape& s, const ParamValues& p,
                  Pool& pool) { return blis_avx2::prepare(s, blis_avx2::blocking_of(p), {}, pool); },
});

}  // namespace
}  // namespace cromwell
