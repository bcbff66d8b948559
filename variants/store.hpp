#pragma once
// The `store` parameter of kernels with large outputs (softmax, silu): how the final result is
// written. normal = ordinary stores (the line is read for ownership and stays cached);
// nt = non-temporal stores from the first 32-byte boundary on, then an sfence (no read for
// ownership, the output bypasses the caches: pays off when the output is far larger than L3
// and not read again soon).
#include <immintrin.h>

#include <cstdint>
#include <string>

#include "harness/core/param.hpp"
#include "harness/platform/isa.hpp"

namespace cromwell::store {

inline Param param() {
  return Param::choice("store", {"normal", "nt"}, {"normal", "nt"}, "normal",
                       "how the output is written: ordinary or non-temporal stores");
}

inline bool nt(const ParamValues& p) { return p.str("store") == "nt"; }

// Where the vector loop over out[b, e) starts: b for ordinary stores; the first 32-byte
// boundary (at most e) for non-temporal ones, whose head is written with scalar stores.
template <bool NT>
inline std::int64_t vector_start(const float* out, std::int64_t b, std::int64_t e) {
  if constexpr (!NT) return b;
  std::int64_t i = b;
  while (i < e && (reinterpret_cast<std::uintptr_t>(out + i) & 31) != 0) ++i;
  return i;
}

template <bool NT>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void put(float* p, __m256 v) {
  if constexpr (NT)
    _mm256_stream_ps(p, v);
  else
    _mm256_storeu_ps(p, v);
}

// After the last non-temporal store of a call: make them visible before the call returns.
template <bool NT>
[[gnu::target(CROMWELL_AVX2), gnu::always_inline]] inline void finish() {
  if constexpr (NT) _mm_sfence();
}

}  // namespace cromwell::store
