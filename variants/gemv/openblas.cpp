// gemv.openblas — a peer: cblas_sgemv from OpenBLAS, with the same `core` parameter as
// gemm.openblas (variants/openblas_peer.hpp). OpenBLAS uses its own threads.
#include "harness/core/registry.hpp"
#include "kernels/gemv.hpp"
#include "variants/openblas_peer.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvKernel>({
    .name = "openblas",
    .summary = "peer: OpenBLAS cblas_sgemv (its own threads), core selectable",
    .space = {.params = {openblas_peer::core_param()}, .constraints = {}},
    .prepare = [](const GemvShape& s, const ParamValues&, Pool& pool) -> Runnable<GemvKernel> {
      const int threads = pool.size();
      return [s, threads](GemvKernel::Workspace& ws) {
        openblas_set_num_threads(threads);
        cblas_sgemv(CblasRowMajor, CblasNoTrans, int(s.n), int(s.k), 1.0f, ws.w.data(), int(s.k), ws.x.data(), 1, 0.0f,
                    ws.y.data(), 1);
      };
    },
    .child_env = openblas_peer::child_env,
    .note = openblas_peer::note,
    .uses_pool = false,
    .runtime_isa = openblas_peer::runtime_isa,
});

}  // namespace
}  // namespace cromwell
