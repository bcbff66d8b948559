// read.avx2 — read.naive with AVX2: four independent 8-wide accumulators (32 floats per
// iteration) hide the add latency, so the loop is bound by memory, not by the adder.
#include <immintrin.h>

#include <vector>

#include "harness/registry.hpp"
#include "kernels/read.hpp"

namespace cromwell {
namespace {

[[gnu::target("avx2,fma")]] float sum_avx2(const float* x, std::int64_t b, std::int64_t e) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
  std::int64_t i = b;
  for (; i + 32 <= e; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
  }
  for (; i + 8 <= e; i += 8) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
  const __m256 a = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, a);
  float s = 0.0f;
  for (float l : lanes) s += l;
  for (; i < e; ++i) s += x[i];
  return s;
}

const bool registered = register_variant<ReadKernel>({
    .name = "avx2",
    .summary = "four 8-wide AVX2 accumulators",
    .isa = {"avx2", "fma"},
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<ReadKernel> {
      auto partial = std::make_shared<std::vector<float>>(pool.size());
      return [s, partial, &pool](ReadKernel::Workspace& ws) {
        pool.run([&](int t) {
          const auto [b, e] = pool.share(s.n, 16, t);
          (*partial)[t] = sum_avx2(ws.x.data(), b, e);
        });
        float total = 0.0f;
        for (float p : *partial) total += p;
        ws.sum = total;
      };
    },
});

}  // namespace
}  // namespace cromwell
