// gemv.avx512 — gemv.avx2 with AVX-512: the same four row streams sharing each load of x
// (variants/gemv/rows_avx2.hpp), two 16-wide FMA accumulators per row, and the tail of a row (k
// not a multiple of 16) done with one masked load instead of a scalar loop. GEMV is bound by the
// read of W, so this variant shows whether vector width matters at all on a machine with
// AVX-512. Rows are split among threads in contiguous shares.
#include <immintrin.h>

#include <cstdint>

#include "harness/core/registry.hpp"
#include "kernels/gemv.hpp"

namespace cromwell {
namespace {

// The zero-masking forms keep GCC 12 from warning about the undefined upper lanes that the
// unmasked shuffle and extract intrinsics start from.
[[gnu::target(CROMWELL_AVX512)]] float hsum(__m512 v) {
  const __m512 t = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  const __m256 h = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xff, _mm512_castps_pd(t), 0));
  const __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
  return _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
}

// y[r] = W[r]·x for the S rows r = r0, r0 + q, …, r0 + (S−1)·q.
template <int S>
[[gnu::target(CROMWELL_AVX512), gnu::always_inline]] inline void dot_rows(const GemvShape& s, const float* w,
                                                                          const float* x, float* y, std::int64_t r0,
                                                                          std::int64_t q) {
  const std::int64_t k = s.k;
  const __mmask16 tail = static_cast<__mmask16>((1u << (k % 16)) - 1);
  const float* row[S];
  __m512 a[S], b[S];
  for (int j = 0; j < S; ++j) {
    row[j] = w + (r0 + j * q) * k;
    a[j] = b[j] = _mm512_setzero_ps();
  }
  std::int64_t p = 0;
  for (; p + 32 <= k; p += 32) {
    const __m512 x0 = _mm512_loadu_ps(x + p), x1 = _mm512_loadu_ps(x + p + 16);
    for (int j = 0; j < S; ++j) {
      a[j] = _mm512_fmadd_ps(_mm512_loadu_ps(row[j] + p), x0, a[j]);
      b[j] = _mm512_fmadd_ps(_mm512_loadu_ps(row[j] + p + 16), x1, b[j]);
    }
  }
  if (p + 16 <= k) {
    const __m512 x0 = _mm512_loadu_ps(x + p);
    for (int j = 0; j < S; ++j) a[j] = _mm512_fmadd_ps(_mm512_loadu_ps(row[j] + p), x0, a[j]);
    p += 16;
  }
  if (tail) {
    const __m512 x0 = _mm512_maskz_loadu_ps(tail, x + p);
    for (int j = 0; j < S; ++j) b[j] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, row[j] + p), x0, b[j]);
  }
  for (int j = 0; j < S; ++j) y[r0 + j * q] = hsum(_mm512_add_ps(a[j], b[j]));
}

// y[r0, r1) = W[r0, r1)·x: four quarters side by side, then the rows left over.
[[gnu::target(CROMWELL_AVX512)]] void rows(const GemvShape& s, const float* w, const float* x, float* y,
                                           std::int64_t r0, std::int64_t r1) {
  const std::int64_t q = (r1 - r0) / 4;
  for (std::int64_t i = 0; i < q; ++i) dot_rows<4>(s, w, x, y, r0 + i, q);
  for (std::int64_t i = r0 + 4 * q; i < r1; ++i) dot_rows<1>(s, w, x, y, i, 0);
}

const bool registered = register_variant<GemvKernel>({
    .name = "avx512",
    .summary = "gemv.avx2 with AVX-512: four row streams, masked row tail",
    .isa = CROMWELL_AVX512,
    .space = {},
    .prepare = [](const GemvShape& s, const ParamValues&, Pool& pool) -> Runnable<GemvKernel> {
      return [s, &pool](GemvKernel::Workspace& ws) {
        pool.parallel_for(
            s.n, 4, [&](std::int64_t b, std::int64_t e) { rows(s, ws.w.data(), ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
