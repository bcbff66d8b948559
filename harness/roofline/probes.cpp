#include "harness/roofline/probes.hpp"

#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/platform/pool.hpp"

namespace cromwell::probes {
namespace {

// Where results go so that the loops computing them are not removed.
volatile float g_sink_f;
volatile long long g_sink_i;

// Accumulator counts: Zen 3–5 and recent Intel cores issue 2 FMAs per cycle with a latency of 4–5
// cycles, so 10 independent chains keep both pipes busy; 12 (AVX2) and 16 (AVX-512) leave margin
// and still fit in the register file (16 ymm, 32 zmm).
double baseline(std::int64_t iters) {
  __m128 m[6], s[6];
  __m128 one = _mm_set1_ps(1.0f), tiny = _mm_set1_ps(1e-7f);
  asm volatile("" : "+x"(one), "+x"(tiny));  // hidden from the optimizer: no folding of × 1.0
  for (int i = 0; i < 6; ++i) m[i] = s[i] = _mm_set1_ps(0.5f + 0.01f * i);
  for (std::int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 6
    for (int i = 0; i < 6; ++i) {
      m[i] = _mm_mul_ps(m[i], one);
      s[i] = _mm_add_ps(s[i], tiny);
    }
  }
  __m128 t = _mm_setzero_ps();
  for (int i = 0; i < 6; ++i) t = _mm_add_ps(t, _mm_add_ps(m[i], s[i]));
  g_sink_f = _mm_cvtss_f32(t);
  return double(iters) * 12 * 4;
}

[[gnu::target(CROMWELL_AVX2)]] double avx2(std::int64_t iters) {
  __m256 a[12];
  __m256 one = _mm256_set1_ps(1.0f), tiny = _mm256_set1_ps(1e-7f);
  asm volatile("" : "+x"(one), "+x"(tiny));
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(0.5f + 0.01f * i);
  for (std::int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], one, tiny);
  }
  __m256 t = _mm256_setzero_ps();
  for (int i = 0; i < 12; ++i) t = _mm256_add_ps(t, a[i]);
  g_sink_f = _mm256_cvtss_f32(t);
  return double(iters) * 12 * 8 * 2;
}

[[gnu::target(CROMWELL_AVX512)]] double avx512(std::int64_t iters) {
  __m512 a[16];
  __m512 one = _mm512_set1_ps(1.0f), tiny = _mm512_set1_ps(1e-7f);
  asm volatile("" : "+v"(one), "+v"(tiny));
  for (int i = 0; i < 16; ++i) a[i] = _mm512_set1_ps(0.5f + 0.01f * i);
  for (std::int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) a[i] = _mm512_fmadd_ps(a[i], one, tiny);
  }
  __m512 t = _mm512_setzero_ps();
  for (int i = 0; i < 16; ++i) t = _mm512_add_ps(t, a[i]);
  alignas(64) float out[16];
  _mm512_store_ps(out, t);
  g_sink_f = out[0];
  return double(iters) * 16 * 16 * 2;
}

// The dot products of the quantized and bf16 GEMVs, with 12 independent accumulators: vpdpbf16ps
// (2 bf16 products per fp32 lane), vpdpbusd (4 u8·s8 products per int32 lane), and AVX2's
// vpmaddubsw + vpmaddwd + vpaddd (the same 4 products per lane in three instructions). An operation
// is a multiply or an add, as for the FMA: a product and its accumulation are 2.
[[gnu::target(CROMWELL_AVX512_BF16)]] double bf16_avx512(std::int64_t iters) {
  __m512 a[12];
  __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3380);
  asm volatile("" : "+v"(x), "+v"(y));
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(0.01f * i);
  for (std::int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_dpbf16_ps(a[i], x, y);
  }
  __m512 t = _mm512_setzero_ps();
  for (int i = 0; i < 12; ++i) t = _mm512_add_ps(t, a[i]);
  alignas(64) float out[16];
  _mm512_store_ps(out, t);
  g_sink_f = out[0];
  return double(iters) * 12 * 32 * 2;
}

[[gnu::target(CROMWELL_AVX512_VNNI)]] double int8_avx512_vnni(std::int64_t iters) {
  __m512i a[12];
  __m512i x = _mm512_set1_epi8(3), y = _mm512_set1_epi8(-2);
  asm volatile("" : "+v"(x), "+v"(y));
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_epi32(i);
  for (std::int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_dpbusd_epi32(a[i], x, y);
  }
  __m512i t = _mm512_setzero_si512();
  for (int i = 0; i < 12; ++i) t = _mm512_add_epi32(t, a[i]);
  alignas(64) long long out[8];
  _mm512_store_si512(out, t);
  g_sink_i = out[0];
  return double(iters) * 12 * 64 * 2;
}

[[gnu::target(CROMWELL_AVX_VNNI)]] double int8_avx_vnni(std::int64_t iters) {
  __m256i a[12];
  __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-2);
  asm volatile("" : "+x"(x), "+x"(y));
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_epi32(i);
  for (std::int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_dpbusd_avx_epi32(a[i], x, y);
  }
  __m256i t = _mm256_setzero_si256();
  for (int i = 0; i < 12; ++i) t = _mm256_add_epi32(t, a[i]);
  g_sink_i = _mm256_extract_epi64(t, 0);
  return double(iters) * 12 * 32 * 2;
}

// The two multiplies do not depend on the accumulators: each chain gets its own x, hidden from the
// optimizer every iteration, so that they are not hoisted out of the loop.
[[gnu::target(CROMWELL_AVX2)]] double int8_avx2(std::int64_t iters) {
  __m256i a[6], x[6];
  __m256i y = _mm256_set1_epi8(-2), ones = _mm256_set1_epi16(1);
  for (int i = 0; i < 6; ++i) {
    a[i] = _mm256_set1_epi32(i);
    x[i] = _mm256_set1_epi8(char(3 + i));
  }
  for (std::int64_t it = 0; it < iters; ++it) {
    asm volatile("" : "+x"(x[0]), "+x"(x[1]), "+x"(x[2]), "+x"(x[3]), "+x"(x[4]), "+x"(x[5]));
#pragma GCC unroll 6
    for (int i = 0; i < 6; ++i) a[i] = _mm256_add_epi32(a[i], _mm256_madd_epi16(_mm256_maddubs_epi16(x[i], y), ones));
  }
  __m256i t = _mm256_setzero_si256();
  for (int i = 0; i < 6; ++i) t = _mm256_add_epi32(t, a[i]);
  g_sink_i = _mm256_extract_epi64(t, 0);
  return double(iters) * 6 * 32 * 2;
}

// Eight independent accumulators of xor (latency 1) behind the loads: the loads are the limit.
[[gnu::target(CROMWELL_AVX2)]] void read_avx2(const std::byte* p, std::size_t bytes) {
  __m256i x[8];
  for (auto& v : x) v = _mm256_setzero_si256();
  for (std::size_t i = 0; i < bytes; i += 256) {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j)
      x[j] = _mm256_xor_si256(x[j], _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i) + j));
  }
  for (int j = 1; j < 8; ++j) x[0] = _mm256_xor_si256(x[0], x[j]);
  g_sink_i = _mm256_extract_epi64(x[0], 0);
}

[[gnu::target(CROMWELL_AVX512)]] void read_avx512(const std::byte* p, std::size_t bytes) {
  __m512i x[8];
  for (auto& v : x) v = _mm512_setzero_si512();
  for (std::size_t i = 0; i < bytes; i += 512) {
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j)
      x[j] = _mm512_xor_si512(x[j], _mm512_load_si512(reinterpret_cast<const __m512i*>(p + i) + j));
  }
  for (int j = 1; j < 8; ++j) x[0] = _mm512_xor_si512(x[0], x[j]);
  alignas(64) long long out[8];
  _mm512_store_si512(out, x[0]);
  g_sink_i = out[0];
}

template <bool NT>
[[gnu::target(CROMWELL_AVX2)]] void copy_avx2(std::byte* p, std::size_t bytes) {
  const std::size_t half = bytes / 2;
  auto* src = reinterpret_cast<const __m256i*>(p);
  auto* dst = reinterpret_cast<__m256i*>(p + half);
  for (std::size_t i = 0; i < half / 32; i += 4) {
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const __m256i v = _mm256_load_si256(src + i + j);
      if constexpr (NT)
        _mm256_stream_si256(dst + i + j, v);
      else
        _mm256_store_si256(dst + i + j, v);
    }
  }
  if constexpr (NT) _mm_sfence();
}

template <bool NT>
[[gnu::target(CROMWELL_AVX512)]] void copy_avx512(std::byte* p, std::size_t bytes) {
  const std::size_t half = bytes / 2;
  auto* src = reinterpret_cast<const __m512i*>(p);
  auto* dst = reinterpret_cast<__m512i*>(p + half);
  for (std::size_t i = 0; i < half / 64; i += 4) {
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const __m512i v = _mm512_load_si512(src + i + j);
      if constexpr (NT)
        _mm512_stream_si512(dst + i + j, v);
      else
        _mm512_store_si512(dst + i + j, v);
    }
  }
  if constexpr (NT) _mm_sfence();
}

}  // namespace

double multiply_adds(const std::string& isa, std::int64_t iters) {
  if (isa == "baseline") return baseline(iters);
  if (isa == "avx2") return avx2(iters);
  if (isa == "avx512") return avx512(iters);
  throw std::invalid_argument(fmt::format("unknown ISA '{}' (allowed: baseline, avx2, avx512)", isa));
}

const std::vector<std::string>& dot_kinds() {
  static const std::vector<std::string> k{"bf16_avx512", "int8_avx2", "int8_avx_vnni", "int8_avx512_vnni"};
  return k;
}

std::string dot_isa(const std::string& kind) {
  if (kind == "bf16_avx512") return "avx512bf16";
  if (kind == "int8_avx2") return "avx2";
  if (kind == "int8_avx_vnni") return "avxvnni";
  if (kind == "int8_avx512_vnni") return "avx512vnni";
  throw std::invalid_argument(
      fmt::format("unknown dot product '{}' (allowed: bf16_avx512, int8_avx2, int8_avx_vnni, int8_avx512_vnni)", kind));
}

double dot_products(const std::string& kind, std::int64_t iters) {
  if (kind == "bf16_avx512") return bf16_avx512(iters);
  if (kind == "int8_avx2") return int8_avx2(iters);
  if (kind == "int8_avx_vnni") return int8_avx_vnni(iters);
  if (kind == "int8_avx512_vnni") return int8_avx512_vnni(iters);
  dot_isa(kind);  // throws, naming the allowed kinds
  return 0;
}

double dependent_adds(std::int64_t iters) {
  long long x = 0;
  for (std::int64_t it = 0; it < iters; ++it) asm volatile(".rept 64\n\tadd $1, %0\n\t.endr" : "+r"(x));
  g_sink_i = x;
  return double(iters) * 64;
}

const char* to_string(Op op) {
  switch (op) {
    case Op::read:
      return "read";
    case Op::copy:
      return "copy";
    case Op::copy_nt:
      return "copy_nt";
  }
  return "?";
}

double pass(Op op, const std::string& isa, std::byte* buf, std::size_t bytes) {
  if (bytes % 1024 != 0 || reinterpret_cast<std::uintptr_t>(buf) % 64 != 0)
    throw std::invalid_argument(fmt::format("a probe pass needs a 64-byte aligned multiple of 1 KiB, not {}", bytes));
  const bool wide = isa == "avx512";
  if (!wide && isa != "avx2")
    throw std::invalid_argument(fmt::format("unknown ISA '{}' for a bandwidth probe (allowed: avx2, avx512)", isa));
  switch (op) {
    case Op::read:
      wide ? read_avx512(buf, bytes) : read_avx2(buf, bytes);
      break;
    case Op::copy:
      wide ? copy_avx512<false>(buf, bytes) : copy_avx2<false>(buf, bytes);
      break;
    case Op::copy_nt:
      wide ? copy_avx512<true>(buf, bytes) : copy_avx2<true>(buf, bytes);
      break;
  }
  return double(bytes);
}

ThreadBuffers::ThreadBuffers(Pool& pool, std::size_t bytes) : at(pool.size(), nullptr) {
  pool.run([&](int tid) {
    at[tid] = static_cast<std::byte*>(std::aligned_alloc(4096, bytes));
    if (at[tid]) std::memset(at[tid], tid + 1, bytes);
  });
  for (auto* p : at)
    if (!p) {
      for (auto* q : at) std::free(q);
      throw std::runtime_error(fmt::format("cannot allocate {} bytes per thread for the probes", bytes));
    }
}

ThreadBuffers::~ThreadBuffers() {
  for (auto* p : at) std::free(p);
}

}  // namespace cromwell::probes
