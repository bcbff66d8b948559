// gemv.avx512 — gemv.avx2 with AVX-512: the same rows in order (W read as one sequential stream),
// four 16-wide FMA accumulators per row (64 floats, four cache lines per iteration), and the
// tail of a row (k not a multiple of 16) done with one masked load instead of a scalar loop.
// GEMV is bound by the read of W, so this variant shows whether vector width matters at all on
// a machine with AVX-512. Rows are split among threads in contiguous shares.
#include <immintrin.h>

#include <cstdint>

#include "harness/registry.hpp"
#include "kernels/gemv.hpp"

namespace cromwell {
namespace {

// The zero-masking forms keep GCC 12 from warning about the undefined upper lanes that the
// unmasked shuffle and extract intrinsics start from.
[[gnu::target("avx512f")]] float hsum(__m512 v) {
  const __m512 t = _mm512_add_ps(v, _mm512_maskz_shuffle_f32x4(0xffff, v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  const __m256 h = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xff, _mm512_castps_pd(t), 0));
  const __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
  return _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
}

// y[r0, r1) = W[r0, r1)·x.
[[gnu::target("avx512f")]] void rows(const GemvShape& s, const float* w, const float* x, float* y, std::int64_t r0,
                                     std::int64_t r1) {
  const std::int64_t k = s.k, k64 = k - k % 64, k16 = k - k % 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (k % 16)) - 1);
  for (std::int64_t i = r0; i < r1; ++i) {
    const float* wi = w + i * k;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    std::int64_t p = 0;
    for (; p < k64; p += 64) {
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(wi + p), _mm512_loadu_ps(x + p), a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(wi + p + 16), _mm512_loadu_ps(x + p + 16), a1);
      a2 = _mm512_fmadd_ps(_mm512_loadu_ps(wi + p + 32), _mm512_loadu_ps(x + p + 32), a2);
      a3 = _mm512_fmadd_ps(_mm512_loadu_ps(wi + p + 48), _mm512_loadu_ps(x + p + 48), a3);
    }
    for (; p < k16; p += 16) a0 = _mm512_fmadd_ps(_mm512_loadu_ps(wi + p), _mm512_loadu_ps(x + p), a0);
    if (tail) a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, wi + p), _mm512_maskz_loadu_ps(tail, x + p), a1);
    y[i] = hsum(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
  }
}

const bool registered = register_variant<GemvKernel>({
    .name = "avx512",
    .summary = "gemv.avx2 with AVX-512: four 16-wide accumulators, masked row tail",
    .isa = {"avx512f"},
    .space = {},
    .prepare = [](const GemvShape& s, const ParamValues&, Pool& pool) -> Runnable<GemvKernel> {
      return [s, &pool](GemvKernel::Workspace& ws) {
        pool.parallel_for(s.n, 4, [&](std::int64_t b, std::int64_t e) {
          rows(s, ws.w.data(), ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
