#pragma once
// The integer engines of gemv_q8_0 and gemv_q4_0 (variants/weights_rows.hpp has the contract):
// x quantised once per call to 8-bit blocks (variants/weights_x.hpp), then per block and row an
// exact integer dot product of 8 int32 lanes, converted to fp32 and scaled by d_w·d_x into the
// row's accumulator (two per row, even and odd blocks, so a row is not one dependency chain).
//
//   Avx2<F>     vpmaddubsw (unsigned × signed bytes → int16 pairs) + vpmaddwd(·, 1) → int32.
//               q8_0: |w| × sign(x, w), as ggml (pairs ≤ 2·127·127 < 2¹⁵: no saturation).
//               q4_0: the nibbles 0..15 as the unsigned operand, unshifted, plus x's −8·Σq_x per
//               lane: Σ (q_w − 8)·q_x with no sign trick (ggml subtracts 8 and needs two vpsignb).
//   Vnni256<F>  vpdpbusd (AVX-VNNI, 256-bit): the bytes' products summed into int32 directly,
//               so no int16 stage can saturate and q8_0 needs no sign trick either: w + 128
//               (an xor) as the unsigned operand, started from −128·Σq_x per lane.
//               q4_0: started from −8·Σq_x.
//   Vnni512<F>  the same on two blocks per 512-bit vpdpbusd (AVX512-VNNI), the scales of the two
//               blocks in the two halves of the scale vector; an odd last block in 256 bits.
//
// µops per block and row (Zen 3/4 counting, loads folded where they can be), the figure that
// decides whether a format runs at the memory's speed:
//                 q8_0                                   q4_0
//   Avx2          load, 2 vpsignb, vpmaddubsw, vpmaddwd,  load, shift, insert, and, vpmaddubsw,
//                 cvt, fma + scale (≈ 4): ≈ 11            vpmaddwd, add, cvt, fma + scale: ≈ 12
//   Vnni256       load, xor, vpdpbusd, cvt, fma + scale:  load, shift, insert, and, vpdpbusd, cvt,
//                 ≈ 9                                     fma + scale: ≈ 11
//   Vnni512       per 2 blocks: 2 loads, insert, xor,     per 2 blocks: 2 loads, insert, shift,
//                 vpdpbusd, cvt, fma + 2 scales: ≈ 7.5     and, vpdpbusd, cvt, fma + 2 scales: ≈ 8
// where "scale" is the fp16 d_w to fp32 times d_x, broadcast (about 4).
// Tried and dropped for Vnni512 (2026-12-03, n:5632,k:2048, one thread, this VM's Zen 5):
//   - one 64-byte load of a block pair, quants and scales put in place by vpermw (about 5.5 µops
//     per block): 10 % faster on hot q4_0 rows but 1.8× slower on cold ones (427 against 240 µs) —
//     a 64-byte load at a 36- or 68-byte stride splits a cache line almost every time, and on a
//     stream from DRAM that costs more than the µops it saves;
//   - a row's 8 scales at once by vpgatherdd + vpmovdw + one vcvtph2ps (about 2.3 µops per block
//     for the scales instead of 5): 1.2–1.5× slower hot and cold — the gather is slow here.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/gemv_weights.hpp"
#include "variants/prefetch.hpp"
#include "variants/vecmath_avx2.hpp"
#include "variants/weights_avx2.hpp"
#include "variants/weights_rows.hpp"
#include "variants/weights_x.hpp"

namespace cromwell::weights_int8 {

// The x every integer engine uses.
struct XBase {
  using X = weights_x::XQ8;
  static X make_x(std::int64_t k) { return X(k); }
  static void fill_x(const float* x, std::int64_t k, X& out) { weights_x::quantize(x, k, out); }
};

template <class F>
constexpr bool kQ4 = std::is_same_v<F, weights::Q4_0>;

template <class F>
struct Avx2 : XBase {
  using Acc = __m256;
  static constexpr int kStep = 1;

  template <int S>
  [[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] static inline void step(const std::byte* const* row,
                                                                                  std::int64_t b, const X& x,
                                                                                  Acc* acc) {
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q.data() + 32 * b));
    const __m256i off = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.off.data() + 8 * b));
    const float dx = x.d[std::size_t(b)];
    for (int j = 0; j < S; ++j) {
      const std::byte* blk = row[j] + b * F::block_bytes;
      __m256i p;
      if constexpr (kQ4<F>) {
        p = _mm256_add_epi32(
            _mm256_madd_epi16(_mm256_maddubs_epi16(weights_avx2::nibbles(blk + 2), xq), _mm256_set1_epi16(1)), off);
      } else {
        const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2));
        p = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(wq, wq), _mm256_sign_epi8(xq, wq)),
                              _mm256_set1_epi16(1));
      }
      acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(weights_avx2::scale(blk) * dx), acc[j]);
    }
  }
  [[gnu::target(CROMWELL_AVX2_F16C), gnu::always_inline]] static inline float sum(Acc a, Acc c) {
    return vecmath::hsum(_mm256_add_ps(a, c));
  }
  CROMWELL_BLOCK_DOT(CROMWELL_AVX2_F16C)
};

template <class F>
struct Vnni256 : XBase {
  using Acc = __m256;
  static constexpr int kStep = 1;

  template <int S>
  [[gnu::target(CROMWELL_AVX_VNNI), gnu::always_inline]] static inline void step(const std::byte* const* row,
                                                                                 std::int64_t b, const X& x, Acc* acc) {
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q.data() + 32 * b));
    __m256i off = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.off.data() + 8 * b));  // −8·Σq_x
    if constexpr (!kQ4<F>) off = _mm256_slli_epi32(off, 4);                                    // −128·Σq_x
    const float dx = x.d[std::size_t(b)];
    for (int j = 0; j < S; ++j) {
      const std::byte* blk = row[j] + b * F::block_bytes;
      __m256i p;
      if constexpr (kQ4<F>) {
        p = _mm256_dpbusd_avx_epi32(off, weights_avx2::nibbles(blk + 2), xq);
      } else {
        const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2));
        p = _mm256_dpbusd_avx_epi32(off, _mm256_xor_si256(wq, _mm256_set1_epi8(char(0x80))), xq);
      }
      acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(weights_avx2::scale(blk) * dx), acc[j]);
    }
  }
  [[gnu::target(CROMWELL_AVX_VNNI), gnu::always_inline]] static inline float sum(Acc a, Acc c) {
    return vecmath::hsum(_mm256_add_ps(a, c));
  }
  CROMWELL_BLOCK_DOT(CROMWELL_AVX_VNNI)
};

template <class F>
struct Vnni512 : XBase {
  using Acc = __m512;
  static constexpr int kStep = 2;  // blocks per step

  // Blocks b and b + 1 of the S rows.
  template <int S>
  [[gnu::target(CROMWELL_AVX512_VNNI), gnu::always_inline]] static inline void step(const std::byte* const* row,
                                                                                    std::int64_t b, const X& x,
                                                                                    Acc* acc) {
    const __m512i xq = _mm512_loadu_si512(x.q.data() + 32 * b);
    __m512i off = _mm512_loadu_si512(x.off.data() + 8 * b);
    if constexpr (!kQ4<F>) off = _mm512_slli_epi32(off, 4);
    const float dx0 = x.d[std::size_t(b)], dx1 = x.d[std::size_t(b + 1)];
    for (int j = 0; j < S; ++j) {
      const std::byte* b0 = row[j] + b * F::block_bytes;
      const std::byte* b1 = b0 + F::block_bytes;
      __m512i wq;
      if constexpr (kQ4<F>) {
        // [qs0, qs0, qs1, qs1] shifted by [0, 4, 0, 4] bits and masked: the nibbles in element order.
        const __m512i raw = _mm512_inserti64x4(
            _mm512_castsi256_si512(
                _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b0 + 2)))),
            _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b1 + 2))), 1);
        constexpr long long k4 = 0x0004000400040004;  // 4 in every 16-bit element
        wq = _mm512_and_si512(_mm512_srlv_epi16(raw, _mm512_set_epi64(k4, k4, 0, 0, k4, k4, 0, 0)),
                              _mm512_set1_epi8(0x0f));
      } else {
        wq = _mm512_xor_si512(
            _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b0 + 2))),
                               _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b1 + 2)), 1),
            _mm512_set1_epi8(char(0x80)));
      }
      const __m512i p = _mm512_dpbusd_epi32(off, wq, xq);
      const __m512 s = _mm512_mask_broadcastss_ps(_mm512_set1_ps(weights_avx2::scale(b0) * dx0), 0xff00,
                                                  _mm_set_ss(weights_avx2::scale(b1) * dx1));
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(p), s, acc[j]);
    }
  }
  // One block (the last of an odd count) in 256 bits, added to the low half.
  template <int S>
  [[gnu::target(CROMWELL_AVX512_VNNI), gnu::always_inline]] static inline void tail(const std::byte* const* row,
                                                                                    std::int64_t b, const X& x,
                                                                                    Acc* acc) {
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q.data() + 32 * b));
    __m256i off = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.off.data() + 8 * b));
    if constexpr (!kQ4<F>) off = _mm256_slli_epi32(off, 4);
    for (int j = 0; j < S; ++j) {
      const std::byte* blk = row[j] + b * F::block_bytes;
      __m256i wq;
      if constexpr (kQ4<F>)
        wq = weights_avx2::nibbles(blk + 2);
      else
        wq = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2)),
                              _mm256_set1_epi8(char(0x80)));
      const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_dpbusd_epi32(off, wq, xq)),
                                     _mm256_set1_ps(weights_avx2::scale(blk) * x.d[std::size_t(b)]));
      acc[j] = _mm512_add_ps(acc[j], _mm512_zextps256_ps512(v));
    }
  }
  [[gnu::target(CROMWELL_AVX512_VNNI), gnu::always_inline]] static inline float sum(Acc a, Acc c) {
    const __m512 t = _mm512_add_ps(a, c);
    const __m256 hi = _mm512_castps512_ps256(_mm512_shuffle_f32x4(t, t, 0xee));
    return vecmath::hsum(_mm256_add_ps(_mm512_castps512_ps256(t), hi));
  }
  CROMWELL_BLOCK_DOT(CROMWELL_AVX512_VNNI)
};

}  // namespace cromwell::weights_int8
