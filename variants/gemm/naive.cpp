// gemm.naive — the plain fp32 triple loop a programmer writes first: for each C[i][j], a dot
// product of row i of A with column j of B, accumulated in fp32. Compiled with the baseline flags
// only. No parameters. With threads > 1 the rows of C are split among the pool's threads.
#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"

namespace cromwell {
namespace {

void gemm_naive_rows(const GemmShape& s, const float* a, const float* b, float* c, std::int64_t i0, std::int64_t i1) {
  for (std::int64_t i = i0; i < i1; ++i)
    for (std::int64_t j = 0; j < s.n; ++j) {
      float sum = 0.0f;
      for (std::int64_t p = 0; p < s.k; ++p) sum += a[i * s.k + p] * b[p * s.n + j];
      c[i * s.n + j] = sum;
    }
}

const bool registered = register_variant<GemmKernel>({
    .name = "naive",
    .summary = "plain fp32 triple loop (i, j, k), rows split among threads",
    .space = {},
    .prepare = [](const GemmShape& s, const ParamValues&, Pool& pool) -> Runnable<GemmKernel> {
      return [s, &pool](GemmWorkspace& ws) {
        pool.parallel_for(s.m, 1, [&](std::int64_t i0, std::int64_t i1) {
          gemm_naive_rows(s, ws.a.data(), ws.b.data(), ws.c.data(), i0, i1);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
