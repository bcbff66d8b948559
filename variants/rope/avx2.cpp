// rope.avx2 — rope.naive with the angles taken out of the call: prepare computes cos θ_i and
// sin θ_i in double (the position is part of the shape) and rounds them to a table of floats;
// the call is then an AVX2/FMA rotation, 8 pairs at a time (a tail of dim/2 mod 8 pairs masked).
// A small call (under 8192 floats per thread: one decode token is 33·64) runs on the calling
// thread alone, where a fork-join would cost more than the work; larger ones split their rows.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "harness/core/registry.hpp"
#include "kernels/rope.hpp"

namespace cromwell {
namespace {

constexpr std::int64_t kFloatsPerThread = 8192;

struct Table {
  std::vector<float> cos, sin;  // [dim/2]
};

Table table_for(const RopeShape& s) {
  const std::int64_t half = s.dim / 2;
  Table t{std::vector<float>(half), std::vector<float>(half)};
  for (std::int64_t i = 0; i < half; ++i) {
    const double theta = double(s.pos) * std::pow(RopeKernel::kBase, -2.0 * double(i) / double(s.dim));
    t.cos[i] = float(std::cos(theta));
    t.sin[i] = float(std::sin(theta));
  }
  return t;
}

[[gnu::target(CROMWELL_AVX2)]] void rope_rows(const RopeShape& s, const Table& t, const float* x, float* y,
                                              std::int64_t r0, std::int64_t r1) {
  const std::int64_t half = s.dim / 2, half8 = half - half % 8;
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(int(half % 8)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const float* cs = t.cos.data();
  const float* sn = t.sin.data();
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xa = x + r * s.dim;
    const float* xb = xa + half;
    float* ya = y + r * s.dim;
    float* yb = ya + half;
    std::int64_t i = 0;
    for (; i < half8; i += 8) {
      const __m256 a = _mm256_loadu_ps(xa + i), b = _mm256_loadu_ps(xb + i);
      const __m256 c = _mm256_loadu_ps(cs + i), v = _mm256_loadu_ps(sn + i);
      _mm256_storeu_ps(ya + i, _mm256_fmsub_ps(a, c, _mm256_mul_ps(b, v)));
      _mm256_storeu_ps(yb + i, _mm256_fmadd_ps(a, v, _mm256_mul_ps(b, c)));
    }
    if (i < half) {
      const __m256 a = _mm256_maskload_ps(xa + i, mask), b = _mm256_maskload_ps(xb + i, mask);
      const __m256 c = _mm256_maskload_ps(cs + i, mask), v = _mm256_maskload_ps(sn + i, mask);
      _mm256_maskstore_ps(ya + i, mask, _mm256_fmsub_ps(a, c, _mm256_mul_ps(b, v)));
      _mm256_maskstore_ps(yb + i, mask, _mm256_fmadd_ps(a, v, _mm256_mul_ps(b, c)));
    }
  }
}

const bool registered = register_variant<RopeKernel>({
    .name = "avx2",
    .summary = "AVX2/FMA rotation with a cos/sin table made in double in prepare",
    .isa = CROMWELL_AVX2,
    .space = {},
    .prepare = [](const RopeShape& s, const ParamValues&, Pool& pool) -> Runnable<RopeKernel> {
      auto table = std::make_shared<const Table>(table_for(s));
      // Rows per thread: at least kFloatsPerThread floats each, so a small call is one chunk.
      const std::int64_t grain = std::max<std::int64_t>(1, (kFloatsPerThread + s.dim - 1) / s.dim);
      return [s, table, grain, &pool](RopeKernel::Workspace& ws) {
        pool.parallel_for(s.rows, grain, [&](std::int64_t b, std::int64_t e) {
          rope_rows(s, *table, ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
