// Accuracy of the AVX2 vector math against double-precision libm, in ULP of the exact result,
// over explicit domains, and its special values. ctest samples the float line; the exhaustive
// sweep over all 2³² floats is the `slow` test (vecmath_exhaustive, release build only).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "harness/platform/isa.hpp"
#include "variants/vecmath_avx2.hpp"

namespace {

using cromwell::cpu_has;

float bits_to_float(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// |got − exact| in units of the float spacing at the exact value (subnormal spacing below 2⁻¹²⁶).
double ulp_error(float got, double exact) {
  if (std::isnan(exact)) return std::isnan(got) ? 0 : 1e9;
  if (std::isinf(exact)) return got == exact ? 0 : 1e9;
  const double a = std::abs(exact);
  const double spacing = a < 0x1p-126 ? 0x1p-149 : std::ldexp(1.0, std::ilogb(a) - 23);
  if (std::isinf(got)) return a > 0x1.fffffep127 ? 0 : 1e9;
  return std::abs(double(got) - exact) / spacing;
}

[[gnu::target(CROMWELL_AVX2)]] void apply(int fn, const float* in, float* out) {
  const __m256 x = _mm256_loadu_ps(in);
  namespace vm = cromwell::vecmath;
  const __m256 y = fn == 0 ? vm::exp(x) : fn == 1 ? vm::sigmoid(x) : fn == 2 ? vm::silu(x) : vm::tanh(x);
  _mm256_storeu_ps(out, y);
}

double exact(int fn, float x) {
  const double d = x;
  if (fn == 0) return std::exp(d);
  if (fn == 1) return 1.0 / (1.0 + std::exp(-d));
  if (fn == 2) return d / (1.0 + std::exp(-d));
  return std::tanh(d);
}

// Worst error of fn over every `step`-th float whose value lies in [lo, hi] and whose exact
// result lies in the normal range (or, with `subnormal`, below it).
double worst(int fn, float lo, float hi, std::uint32_t step, bool subnormal = false) {
  double w = 0;
  float in[8], out[8];
  int filled = 0;
  std::uint32_t b = 0;
  do {
    const float x = bits_to_float(b);
    if (x >= lo && x <= hi) {
      in[filled++] = x;
      if (filled == 8) {
        apply(fn, in, out);
        for (int i = 0; i < 8; ++i) {
          const double e = exact(fn, in[i]);
          const bool normal = std::abs(e) >= 0x1p-126 && std::abs(e) <= 0x1.fffffep127;
          if (normal != subnormal) w = std::max(w, ulp_error(out[i], e));
        }
        filled = 0;
      }
    }
    b += step;
  } while (b >= step);
  return w;
}

// silu below −87.3, where e^x is subnormal: the worst absolute error in units of |x|·2⁻¹⁴⁸.
double silu_tail_error(std::uint32_t step) {
  double w = 0;
  float in[8], out[8];
  int filled = 0;
  for (std::uint64_t b = 0xc2aa999a; b <= 0xc2d00000; b += step) {  // −85.3 … −104
    const float x = bits_to_float(static_cast<std::uint32_t>(b));
    if (x > -87.3f) continue;
    in[filled++] = x;
    if (filled < 8) continue;
    apply(2, in, out);
    for (int i = 0; i < 8; ++i)
      w = std::max(w, std::abs(double(out[i]) - exact(2, in[i])) / (std::abs(double(in[i])) * 0x1p-148));
    filled = 0;
  }
  return w;
}

}  // namespace

TEST_CASE("vector exp sigmoid silu and tanh meet their stated ULP bounds (sampled)") {
  if (!cpu_has("avx2") || !cpu_has("fma")) {
    WARN("no AVX2/FMA on this CPU: vector math not exercised");
    return;
  }
  const std::uint32_t step = 997;  // a prime: every exponent and many mantissas
  CHECK(worst(0, -87.3f, 88.72f, step) <= 2.0);
  CHECK(worst(0, -104.0f, -87.0f, step, true) <= 1.5);
  CHECK(worst(1, -87.0f, 100.0f, step) <= 4.0);
  CHECK(worst(2, -87.3f, 1e30f, step) <= 4.0);
  CHECK(silu_tail_error(step) <= 1.0);
  CHECK(worst(3, -std::numeric_limits<float>::max(), std::numeric_limits<float>::max(), step) <= 2.0);
}

TEST_CASE("vector exp sigmoid silu and tanh follow the rules for special values") {
  if (!cpu_has("avx2") || !cpu_has("fma")) return;
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  float in[8] = {0.0f, -0.0f, inf, -inf, nan, 89.0f, -104.0f, 88.7228f}, out[8];
  apply(0, in, out);
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == 1.0f);
  CHECK(out[2] == inf);
  CHECK(out[3] == 0.0f);
  CHECK(std::isnan(out[4]));
  CHECK(out[5] == inf);
  CHECK(out[6] == 0.0f);
  CHECK(std::isfinite(out[7]));
  apply(1, in, out);
  CHECK(out[0] == 0.5f);
  CHECK(out[2] == 1.0f);
  CHECK(out[3] == 0.0f);
  CHECK(std::isnan(out[4]));
  apply(2, in, out);
  CHECK(out[0] == 0.0f);
  CHECK(!std::signbit(out[0]));
  CHECK(out[1] == 0.0f);
  CHECK(std::signbit(out[1]));
  CHECK(out[2] == inf);
  CHECK(out[3] == 0.0f);
  CHECK(std::signbit(out[3]));
  CHECK(std::isnan(out[4]));
  apply(3, in, out);
  CHECK(out[0] == 0.0f);
  CHECK(!std::signbit(out[0]));
  CHECK(out[1] == 0.0f);
  CHECK(std::signbit(out[1]));
  CHECK(out[2] == 1.0f);
  CHECK(out[3] == -1.0f);
  CHECK(std::isnan(out[4]));
  CHECK(out[5] == 1.0f);
  CHECK(out[6] == -1.0f);
}

TEST_CASE("a vector that mixes rare lanes with common ones gives each lane its own result") {
  if (!cpu_has("avx2") || !cpu_has("fma")) return;
  const float inf = std::numeric_limits<float>::infinity();
  float mixed[8] = {0.5f, -inf, -1.25f, -95.0f, 3.0f, 100.0f, -0.0f, 20.0f}, out[8];
  for (int fn = 0; fn < 4; ++fn) {
    apply(fn, mixed, out);
    for (int i = 0; i < 8; ++i) {
      float alone[8], one[8];
      for (float& v : alone) v = mixed[i];
      apply(fn, alone, one);
      CHECK(std::memcmp(&out[i], &one[0], 4) == 0);
    }
  }
}

TEST_CASE("vector math over every float", "[.slow]") {
  if (!cpu_has("avx2") || !cpu_has("fma")) return;
  CHECK(worst(0, -87.3f, 88.72f, 1) <= 2.0);
  CHECK(worst(0, -104.0f, -87.0f, 1, true) <= 1.5);
  CHECK(worst(1, -87.0f, 100.0f, 1) <= 4.0);
  CHECK(worst(2, -87.3f, std::numeric_limits<float>::max(), 1) <= 4.0);
  CHECK(silu_tail_error(1) <= 1.0);
  CHECK(worst(3, -std::numeric_limits<float>::max(), std::numeric_limits<float>::max(), 1) <= 2.0);
}
