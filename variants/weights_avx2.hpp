#pragma once
// Loads of the block formats into AVX2 registers, and x as the fp32 variants take it, shared by
// the vector variants of gemv_bf16, gemv_q8_0 and gemv_q4_0 (kernels/weights.hpp has the layouts).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "harness/platform/isa.hpp"

namespace cromwell::weights_avx2 {

// x as the fp32 variants use it: as it is.
struct XF32 {
  const float* v = nullptr;
};
inline XF32 make_xf32(std::int64_t) { return {}; }
inline void fill_xf32(const float* x, std::int64_t, XF32& out) { out.v = x; }

// The fp16 scale at the start of a q8_0 / q4_0 block, as fp32.
[[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] inline float scale(const std::byte* block) {
  std::uint16_t h;
  std::memcpy(&h, block, 2);
  return _cvtsh_ss(h);
}

// The 32 four-bit values of a q4_0 block's qs (16 bytes) as bytes 0..15 in element order:
// low nibbles are elements 0..15, high nibbles 16..31.
[[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] inline __m256i nibbles(const std::byte* qs) {
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), _mm256_set1_epi8(0x0f));
}

}  // namespace cromwell::weights_avx2
