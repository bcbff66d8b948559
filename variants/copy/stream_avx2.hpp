#pragma once
// The AVX2 copy loop shared by copy.avx2, copy.prefetch and copy.nt_store: 32 floats (two cache
// lines) per iteration, unaligned loads; the store and the prefetch are the template's choice.
#include <immintrin.h>

#include <cstdint>

#include "harness/platform/isa.hpp"

namespace cromwell::copy_avx2 {

enum class Store { normal, nt };

// y[b, e) = x[b, e). With Store::nt, y is written with non-temporal (streaming) stores from the
// first 32-byte boundary on, scalar stores before it and after the last full vector, and an sfence
// at the end so the data is globally visible when the call returns. `pf_lines` > 0 prefetches x
// that many cache lines ahead.
template <Store S, bool Prefetch>
[[gnu::target(CROMWELL_AVX2)]] void copy(const float* x, float* y, std::int64_t b, std::int64_t e,
                                         std::int64_t pf_lines) {
  std::int64_t i = b;
  if constexpr (S == Store::nt)
    for (; i < e && (reinterpret_cast<std::uintptr_t>(y + i) & 31) != 0; ++i) y[i] = x[i];
  for (; i + 32 <= e; i += 32) {
    if constexpr (Prefetch) {
      _mm_prefetch(reinterpret_cast<const char*>(x + i) + 64 * pf_lines, _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(x + i) + 64 * (pf_lines + 1), _MM_HINT_T0);
    }
    const __m256 a = _mm256_loadu_ps(x + i), c = _mm256_loadu_ps(x + i + 8), d = _mm256_loadu_ps(x + i + 16),
                 f = _mm256_loadu_ps(x + i + 24);
    if constexpr (S == Store::nt) {
      _mm256_stream_ps(y + i, a);
      _mm256_stream_ps(y + i + 8, c);
      _mm256_stream_ps(y + i + 16, d);
      _mm256_stream_ps(y + i + 24, f);
    } else {
      _mm256_storeu_ps(y + i, a);
      _mm256_storeu_ps(y + i + 8, c);
      _mm256_storeu_ps(y + i + 16, d);
      _mm256_storeu_ps(y + i + 24, f);
    }
  }
  for (; i < e; ++i) y[i] = x[i];
  if constexpr (S == Store::nt) _mm_sfence();
}

}  // namespace cromwell::copy_avx2
