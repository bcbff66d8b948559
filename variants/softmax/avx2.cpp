// softmax.avx2 — softmax.naive's three passes with AVX2, software-pipelined over rows. Per row:
// an 8-wide maximum (four accumulators), then one loop that computes e^(x−max) with the vector
// exp of variants/vecmath_avx2.hpp and its sum (two accumulators) into a per-thread scratch row
// in L1/L2, and, in the same loop, writes the previous row's output y = scratch · 1/sum and
// prefetches the next row of x. The DRAM traffic of both neighbours thus overlaps the exp, which
// bounds the kernel, instead of following it; y is written once, so non-temporal stores skip
// reading it for ownership. Rows longer than the scratch (or, for nt, not starting on 32-byte
// boundaries) use y itself as the scratch and are scaled right after their exp pass.
//   store  normal | nt: how y is written (variants/store.hpp)
#include <algorithm>
#include <limits>

#include "harness/core/registry.hpp"
#include "kernels/softmax.hpp"
#include "variants/store.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

constexpr std::int64_t kRow = 8192;  // floats per scratch row; two per thread: 64 KiB
// With ordinary stores, lines of y are prefetched for ownership (prefetchw) this many floats
// (4 KiB) ahead of the stores, across row ends: 0.68× → 0.81× copy.avx2 far beyond L3. Where a
// CPU lacks the instruction (Haswell) it executes as a NOP.
constexpr std::int64_t kOwnAhead = 1024;

[[gnu::target(CROMWELL_AVX2)]] float exp1(float x) { return _mm256_cvtss_f32(vecmath::exp(_mm256_set1_ps(x))); }

[[gnu::target(CROMWELL_AVX2)]] float row_max(const float* x, std::int64_t n) {
  const __m256 lowest = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  __m256 m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
  std::int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    m2 = _mm256_max_ps(m2, _mm256_loadu_ps(x + i + 16));
    m3 = _mm256_max_ps(m3, _mm256_loadu_ps(x + i + 24));
  }
  for (; i + 8 <= n; i += 8) m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
  float m = vecmath::hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3)));
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

// A row whose exp pass is done and whose output is still to be written: y = e · inv.
struct Pending {
  const float* e = nullptr;
  float inv = 0;
  float* y = nullptr;
};

template <bool NT>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void put_scaled(const Pending& p, std::int64_t i) {
  store::put<NT>(p.y + i, _mm256_mul_ps(_mm256_loadu_ps(p.e + i), _mm256_set1_ps(p.inv)));
}

// e[i] = exp(x[i] − m), returning the sum; in the same loop, the whole of `prev` (a row of the
// same length, its y 32-byte aligned for nt) is written and `next` (n floats, or null) is
// prefetched, a line per 16 floats of x, as is y for ownership ahead of the stores.
template <bool NT>
[[gnu::target(CROMWELL_AVX2_PREFETCHW)]] float exp_sum(const float* x, std::int64_t n, float m, float* e,
                                                       const float* next, const Pending& prev) {
  const __m256 vm = _mm256_set1_ps(m);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if (next) _mm_prefetch(reinterpret_cast<const char*>(next + i), _MM_HINT_T0);
    const __m256 a = vecmath::exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
    const __m256 b = vecmath::exp(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vm));
    _mm256_storeu_ps(e + i, a);
    _mm256_storeu_ps(e + i + 8, b);
    s0 = _mm256_add_ps(s0, a);
    s1 = _mm256_add_ps(s1, b);
    if (prev.y) {
      if constexpr (!NT) __builtin_prefetch(prev.y + i + kOwnAhead, 1, 3);
      put_scaled<NT>(prev, i);
      put_scaled<NT>(prev, i + 8);
    }
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 a = vecmath::exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
    _mm256_storeu_ps(e + i, a);
    s0 = _mm256_add_ps(s0, a);
    if (prev.y) put_scaled<NT>(prev, i);
  }
  float sum = vecmath::hsum(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) {
    sum += e[i] = exp1(x[i] - m);
    if (prev.y) prev.y[i] = prev.e[i] * prev.inv;
  }
  return sum;
}

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void scale(const Pending& p, std::int64_t n) {
  std::int64_t i = 0;
  for (const std::int64_t v = store::vector_start<NT>(p.y, 0, n); i < v; ++i) p.y[i] = p.e[i] * p.inv;
  for (; i + 8 <= n; i += 8) put_scaled<NT>(p, i);
  for (; i < n; ++i) p.y[i] = p.e[i] * p.inv;
}

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void softmax_rows(const RowsShape& s, const float* x, float* y, std::int64_t r0,
                                                 std::int64_t r1) {
  alignas(64) thread_local float scratch[2 * kRow];
  const std::int64_t n = s.n;
  const bool aligned = reinterpret_cast<std::uintptr_t>(y) % 32 == 0 && n % 8 == 0;
  const bool pipelined = n <= kRow && (!NT || aligned);
  Pending pending;
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float* e = n <= kRow ? scratch + (r % 2) * kRow : yr;
    const float sum = exp_sum<NT>(xr, n, row_max(xr, n), e, r + 1 < r1 ? xr + n : nullptr, pending);
    pending = {e, 1.0f / sum, yr};
    if (!pipelined) {
      scale<NT>(pending, n);
      pending = {};
    }
  }
  if (pending.y) scale<NT>(pending, n);
  store::finish<NT>();
}

const bool registered = register_variant<SoftmaxKernel>({
    .name = "avx2",
    .summary = "AVX2 max, vector exp and sum, scale; pipelined over rows",
    .isa = CROMWELL_AVX2_PREFETCHW,
    .space = {.params = {store::param()}, .constraints = {}},
    .prepare = [](const RowsShape& s, const ParamValues& p, Pool& pool) -> Runnable<SoftmaxKernel> {
      const bool nt = store::nt(p);
      return [s, nt, &pool](SoftmaxKernel::Workspace& ws) {
        pool.parallel_for(s.rows, 1, [&](std::int64_t b, std::int64_t e) {
          if (nt)
            softmax_rows<true>(s, ws.x.data(), ws.y.data(), b, e);
          else
            softmax_rows<false>(s, ws.x.data(), ws.y.data(), b, e);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
