#pragma once
// x as the quantized GEMV variants multiply it, prepared once per call before the rows are split
// among threads (a few µs at most: k ≤ 5632 values), into buffers allocated by prepare().
//
//   XQ8    x in 8-bit blocks of 32 for the integer variants (avx2_int8, avx_vnni, avx512_vnni),
//          as ggml quantizes x for its q8_0 and q4_0 dot products, except that the scale stays
//          fp32 (ggml rounds it to fp16): d_b = amax_b/127, q_j = round(x_j·127/amax_b), so
//          |q_j| ≤ 127 and |q_j·d_b − x_j| ≤ (0.5 + 2⁻¹⁶)·d_b (kernels/gemv_weights.hpp).
//          Per block also neg_off: 8 int32 whose lane l is −8·(q_{4l} + … + q_{4l+3}), the lanes
//          of a 32-byte integer dot product (vpmaddubsw + vpmaddwd, or vpdpbusd), so that
//          q4_0's unsigned nibbles q_w times x, plus neg_off, is Σ (q_w − 8)·q_x exactly.
//   Xbf16  x rounded to bf16 (nearest even) for avx512_bf16, zero-padded to a multiple of 32.
#include <immintrin.h>

#include <cstdint>
#include <vector>

#include "harness/platform/isa.hpp"
#include "kernels/weights.hpp"

namespace cromwell::weights_x {

struct XQ8 {
  std::vector<std::int8_t> q;     // k
  std::vector<float> d;           // k / 32
  std::vector<std::int32_t> off;  // 8 per block: neg_off
  explicit XQ8(std::int64_t k) : q(std::size_t(k)), d(std::size_t(k / 32)), off(std::size_t(k / 32 * 8)) {}
};

// x[0, k) → xq, k a multiple of 32.
[[gnu::target(CROMWELL_AVX2)]] inline void quantize(const float* x, std::int64_t k, XQ8& xq) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256i ones = _mm256_set1_epi8(1), minus8 = _mm256_set1_epi16(-8);
  for (std::int64_t b = 0; b < k / 32; ++b) {
    __m256 v[4];
    __m256 amax = _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
      v[i] = _mm256_loadu_ps(x + 32 * b + 8 * i);
      amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign_bit, v[i]));
    }
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    const float a = _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
    xq.d[b] = a / 127;
    const __m256 id = _mm256_set1_ps(a != 0.0f ? 127 / a : 0.0f);
    __m256i q[4];
    for (int i = 0; i < 4; ++i)
      q[i] =
          _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[i], id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    // int32 → int8; the packs interleave 128-bit lanes, the permute puts them back in order.
    const __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
    const __m256i bytes = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(xq.q.data() + 32 * b), bytes);
    // Lane l of −8·Σ over bytes 4l..4l+3: pairs summed by vpmaddubsw(1, q), then by vpmaddwd(−8).
    const __m256i off = _mm256_madd_epi16(_mm256_maddubs_epi16(ones, bytes), minus8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(xq.off.data() + 8 * b), off);
  }
}

struct Xbf16 {
  std::vector<std::uint16_t> v;  // k rounded up to 32, zero-padded
  explicit Xbf16(std::int64_t k) : v(std::size_t((k + 31) / 32 * 32), 0) {}
};

[[gnu::target("avx512f,avx512bw,avx512vl,avx512bf16")]] inline void to_bf16(const float* x, std::int64_t k,
                                                                            Xbf16& out) {
  for (std::int64_t j = 0; j < k; j += 16) {
    const __mmask16 m = k - j >= 16 ? __mmask16(0xffff) : __mmask16((1u << (k - j)) - 1);
    const __m256bh b = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + j));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.v.data() + j), reinterpret_cast<const __m256i&>(b));
  }
}

}  // namespace cromwell::weights_x
