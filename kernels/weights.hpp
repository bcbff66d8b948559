#pragma once
// Weight formats of the decode projections: how a row of W is stored, bit for bit as llama.cpp
// and ggml store it, so that a user can feed the same tensors to both.
//
//   f32    4 bytes per weight (the gemv kernel)
//   bf16   2 bytes: the top half of the fp32 pattern, rounded to nearest even
//   q8_0   blocks of 32 consecutive weights of a row, 34 bytes (8.5 bits per weight):
//          {fp16 d; int8 qs[32]}, d = amax/127, w_j = qs[j]·d
//   q4_0   blocks of 32, 18 bytes (4.5 bits per weight): {fp16 d; uint8 qs[16]}, d = max/−8 where
//          max is the signed value of largest magnitude (so d may be negative); element j in the
//          low nibble of qs[j], element j + 16 in its high nibble, w_j = (q_j − 8)·d
//
// The quantizers follow ggml's reference ones, ggml-org/ggml src/ggml-quants.c
// `quantize_row_q8_0_ref` and `quantize_row_q4_0_ref` (and its `dequantize_row_q4_0` for the
// nibble order); fp16 and bf16 rounding follow ggml's GGML_FP32_TO_FP16 (round to nearest even)
// and `ggml_compute_fp32_to_bf16` (round to nearest even, a NaN kept quiet). Written from those
// definitions; tests pin hand-made blocks.
//
// Dequantised weights are exact in fp32 (an int8 or a 4-bit value times an fp16 scale needs at
// most 8 + 11 bits of mantissa), so every kernel's reference uses them as the weights.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace cromwell::weights {

// fp32 → fp16, round to nearest even; overflow to ±inf, NaN stays a quiet NaN.
inline std::uint16_t fp16_from_float(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint16_t sign = std::uint16_t((x >> 16) & 0x8000);
  const std::uint32_t ax = x & 0x7fffffff;
  if (ax > 0x7f800000) return std::uint16_t(sign | 0x7e00 | ((ax >> 13) & 0x3ff));  // NaN
  if (ax >= 0x477ff000) return std::uint16_t(sign | 0x7c00);                        // ≥ 65520 rounds to infinity
  if (ax < 0x38800000)  // below 2⁻¹⁴: a subnormal fp16 (or zero), in units of 2⁻²⁴ (exact scaling)
    return std::uint16_t(sign | std::uint16_t(std::nearbyint(std::abs(f) * 0x1p24f)));
  const std::uint32_t rounded = ax + 0xfff + ((ax >> 13) & 1);  // to nearest, ties to even
  return std::uint16_t(sign | ((rounded - (std::uint32_t(127 - 15) << 23)) >> 13));
}

// fp16 → fp32, exact (subnormals included).
inline float fp16_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0) return std::bit_cast<float>(sign | std::bit_cast<std::uint32_t>(float(m) * 0x1p-24f));
  if (e == 31) return std::bit_cast<float>(sign | 0x7f800000 | (m << 13));
  return std::bit_cast<float>(sign | ((e + 127 - 15) << 23) | (m << 13));
}

// fp32 → bf16, round to nearest even; a NaN stays a quiet NaN.
inline std::uint16_t bf16_from_float(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return std::uint16_t((x >> 16) | 0x40);
  return std::uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

inline float bf16_to_float(std::uint16_t b) { return std::bit_cast<float>(std::uint32_t(b) << 16); }

inline constexpr int kBlock = 32;  // weights per q8_0 / q4_0 block

struct BlockQ8_0 {
  std::uint16_t d;  // fp16 scale
  std::int8_t qs[kBlock];
};
struct BlockQ4_0 {
  std::uint16_t d;              // fp16 scale
  std::uint8_t qs[kBlock / 2];  // element j low nibble, element j + 16 high nibble
};
static_assert(sizeof(BlockQ8_0) == 34 && alignof(BlockQ8_0) == 2);
static_assert(sizeof(BlockQ4_0) == 18 && alignof(BlockQ4_0) == 2);

// One block of 32 weights from x[0, 32).
inline BlockQ8_0 quantize_q8_0(const float* x) {
  float amax = 0.0f;
  for (int j = 0; j < kBlock; ++j) amax = std::fmax(amax, std::abs(x[j]));
  const float d = amax / 127, id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ8_0 b{fp16_from_float(d), {}};
  for (int j = 0; j < kBlock; ++j) b.qs[j] = std::int8_t(std::round(x[j] * id));
  return b;
}

inline BlockQ4_0 quantize_q4_0(const float* x) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kBlock; ++j)
    if (amax < std::abs(x[j])) {
      amax = std::abs(x[j]);
      max = x[j];
    }
  const float d = max / -8, id = d != 0.0f ? 1.0f / d : 0.0f;
  BlockQ4_0 b{fp16_from_float(d), {}};
  for (int j = 0; j < kBlock / 2; ++j) {
    const auto q = [&](float v) { return std::uint8_t(std::min(15, int(std::int8_t(v * id + 8.5f)))); };
    b.qs[j] = std::uint8_t(q(x[j]) | q(x[j + kBlock / 2]) << 4);
  }
  return b;
}

// The 4-bit value (0..15) of element j of a q4_0 block.
inline int q4_0_nibble(const BlockQ4_0& b, int j) {
  return j < kBlock / 2 ? b.qs[j] & 0x0f : b.qs[j - kBlock / 2] >> 4;
}

// The formats as the gemv_weights kernels use them: bytes of a row of k weights, a row stored
// from fp32 and dequantised back to fp32 (exactly the value the format holds).
struct Bf16 {
  static constexpr std::int64_t block = 1, block_bytes = 2;
  static void encode(const float* x, std::byte* out, std::int64_t k) {
    for (std::int64_t j = 0; j < k; ++j) {
      const std::uint16_t b = bf16_from_float(x[j]);
      std::memcpy(out + 2 * j, &b, 2);
    }
  }
  static void decode(const std::byte* in, float* x, std::int64_t k) {
    for (std::int64_t j = 0; j < k; ++j) {
      std::uint16_t b;
      std::memcpy(&b, in + 2 * j, 2);
      x[j] = bf16_to_float(b);
    }
  }
};

struct Q8_0 {
  static constexpr std::int64_t block = kBlock, block_bytes = sizeof(BlockQ8_0);
  static void encode(const float* x, std::byte* out, std::int64_t k) {
    for (std::int64_t b = 0; b < k / kBlock; ++b) {
      const BlockQ8_0 q = quantize_q8_0(x + b * kBlock);
      std::memcpy(out + b * block_bytes, &q, block_bytes);
    }
  }
  static void decode(const std::byte* in, float* x, std::int64_t k) {
    for (std::int64_t b = 0; b < k / kBlock; ++b) {
      BlockQ8_0 q;
      std::memcpy(&q, in + b * block_bytes, block_bytes);
      for (int j = 0; j < kBlock; ++j) x[b * kBlock + j] = float(q.qs[j]) * fp16_to_float(q.d);
    }
  }
};

struct Q4_0 {
  static constexpr std::int64_t block = kBlock, block_bytes = sizeof(BlockQ4_0);
  static void encode(const float* x, std::byte* out, std::int64_t k) {
    for (std::int64_t b = 0; b < k / kBlock; ++b) {
      const BlockQ4_0 q = quantize_q4_0(x + b * kBlock);
      std::memcpy(out + b * block_bytes, &q, block_bytes);
    }
  }
  static void decode(const std::byte* in, float* x, std::int64_t k) {
    for (std::int64_t b = 0; b < k / kBlock; ++b) {
      BlockQ4_0 q;
      std::memcpy(&q, in + b * block_bytes, block_bytes);
      for (int j = 0; j < kBlock; ++j) x[b * kBlock + j] = float(q4_0_nibble(q, j) - 8) * fp16_to_float(q.d);
    }
  }
};

}  // namespace cromwell::weights
