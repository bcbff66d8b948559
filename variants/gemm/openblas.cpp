// gemm.openblas — a peer, not ours: cblas_sgemm from OpenBLAS, so a vendor BLAS stands in the
// same table. The row's note records the core that ran (variants/openblas_peer.hpp).
//   core  auto | haswell (AVX2) | skylakex, cooperlake (AVX-512) | zen | sandybridge (AVX)
// OpenBLAS uses its own threads (openblas_set_num_threads before each call): the pool's pinning
// does not apply to them, and the pool's workers sleep while it runs.
#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"
#include "variants/openblas_peer.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemmKernel>({
    .name = "openblas",
    .summary = "peer: OpenBLAS cblas_sgemm (its own threads), core selectable",
    .space = {.params = {openblas_peer::core_param()}, .constraints = {}},
    .prepare = [](const GemmShape& s, const ParamValues&, Pool& pool) -> Runnable<GemmKernel> {
      const int threads = pool.size();
      return [s, threads](GemmWorkspace& ws) {
        openblas_set_num_threads(threads);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(s.m), int(s.n), int(s.k), 1.0f, ws.a.data(),
                    int(s.k), ws.b.data(), int(s.n), 0.0f, ws.c.data(), int(s.n));
      };
    },
    .child_env = openblas_peer::child_env,
    .note = openblas_peer::note,
    .uses_pool = false,
    .runtime_isa = openblas_peer::runtime_isa,
});

}  // namespace
}  // namespace cromwell
