// The weight formats bit for bit (kernels/weights.hpp) and the quantized GEMV kernels' contract
// (kernels/gemv_weights.hpp): fp16 and bf16 rounding, q8_0 and q4_0 blocks packed from hand-made
// values, k refused unless whole blocks, adversarial blocks present in every workspace. Every
// variant's results on those workspaces are the conformance test's.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "harness/core/registry.hpp"
#include "harness/platform/isa.hpp"
#include "kernels/gemv_weights.hpp"

using namespace cromwell;
using namespace cromwell::weights;

TEST_CASE("fp16 rounds to nearest even and converts back exactly") {
  CHECK(fp16_from_float(1.0f) == 0x3c00);
  CHECK(fp16_from_float(-2.0f) == 0xc000);
  CHECK(fp16_from_float(0.1f) == 0x2e66);
  CHECK(fp16_from_float(65504.0f) == 0x7bff);
  CHECK(fp16_from_float(65519.0f) == 0x7bff);
  CHECK(fp16_from_float(65520.0f) == 0x7c00);  // the tie rounds to even: infinity
  CHECK(fp16_from_float(-1e10f) == 0xfc00);
  CHECK(fp16_from_float(0x1p-24f) == 0x0001);         // smallest subnormal
  CHECK(fp16_from_float(0x1p-25f) == 0x0000);         // a tie: to even, zero
  CHECK(fp16_from_float(0x1.8p-24f) == 0x0002);       // 1.5 units: to even, 2
  CHECK(fp16_from_float(0x1.ffcp-15f) == 0x0400);     // 1023.5 units: to even, up into the smallest normal
  CHECK(fp16_from_float(1.0f + 0x1p-11f) == 0x3c00);  // tie between 1 and 1 + 2⁻¹⁰: even
  CHECK(fp16_from_float(1.0f + 0x1.8p-10f) == 0x3c02);
  CHECK((fp16_from_float(std::numeric_limits<float>::quiet_NaN()) & 0x7e00) == 0x7e00);
  // Every fp16 value other than a NaN survives fp16 → fp32 → fp16.
  for (unsigned h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) continue;
    const float f = fp16_to_float(std::uint16_t(h));
    INFO(h);
    REQUIRE(fp16_from_float(f) == h);
  }
  CHECK(fp16_to_float(0x0001) == 0x1p-24f);
  CHECK(fp16_to_float(0x83ff) == -(0x1p-14f - 0x1p-24f));
  CHECK(std::isinf(fp16_to_float(0x7c00)));
}

TEST_CASE("bf16 rounds to nearest even and keeps a NaN quiet") {
  CHECK(bf16_from_float(1.0f) == 0x3f80);
  CHECK(bf16_from_float(1.0f + 0x1p-8f) == 0x3f80);  // tie: even
  CHECK(bf16_from_float(1.0f + 0x3p-8f) == 0x3f82);  // tie: even, up
  CHECK(bf16_from_float(-0x1p-126f) == 0x8080);
  CHECK(bf16_to_float(0x5f80) == 0x1p64f);
  const std::uint16_t nan = bf16_from_float(std::numeric_limits<float>::quiet_NaN());
  CHECK(std::isnan(bf16_to_float(nan)));
  CHECK((nan & 0x40) != 0);
}

TEST_CASE("a q8_0 block: fp16 d = amax/127, qs rounded half away from zero") {
  float x[32];
  for (int j = 0; j < 32; ++j) x[j] = float(j) - 16.0f;  // -16..15
  x[3] = 127.0f;                                         // amax: d = 1
  x[4] = 2.5f;
  x[5] = -0.5f;
  const BlockQ8_0 b = quantize_q8_0(x);
  std::uint8_t bytes[34];
  std::memcpy(bytes, &b, 34);
  CHECK(bytes[0] == 0x00);  // d = 1.0 = 0x3c00, little-endian
  CHECK(bytes[1] == 0x3c);
  CHECK(b.qs[3] == 127);
  CHECK(b.qs[4] == 3);
  CHECK(b.qs[5] == -1);
  CHECK(b.qs[0] == -16);
  CHECK(b.qs[31] == 15);
  const BlockQ8_0 zero = quantize_q8_0(std::vector<float>(32, 0.0f).data());
  CHECK(zero.d == 0);
  CHECK(zero.qs[7] == 0);
}

TEST_CASE("a q4_0 block: d = max/-8 signed, nibbles low then high, the -8 offset") {
  float x[32] = {};
  x[0] = -8.0f;  // the value of largest magnitude is negative: d = 1
  x[1] = 7.0f;
  x[2] = 0.4f;
  x[3] = 0.6f;
  x[16] = -0.5f;
  x[17] = 3.0f;
  x[31] = 7.9f;  // clamps to 15
  const BlockQ4_0 b = quantize_q4_0(x);
  CHECK(b.d == 0x3c00);
  std::uint8_t bytes[18];
  std::memcpy(bytes, &b, 18);
  CHECK(bytes[2] == (0x0 | 0x8 << 4));   // element 0: 0 (w = -8); element 16: 8 (w = 0)
  CHECK(bytes[3] == (0xf | 0xb << 4));   // element 1: 15; element 17: 11
  CHECK(bytes[4] == (0x8 | 0x8 << 4));   // element 2: 0.4 → 8; element 18: 0 → 8
  CHECK(bytes[5] == (0x9 | 0x8 << 4));   // element 3: 0.6 → 9
  CHECK(bytes[17] == (0x8 | 0xf << 4));  // element 31: 15
  CHECK(q4_0_nibble(b, 0) == 0);
  CHECK(q4_0_nibble(b, 17) == 11);
  float w[32];
  Q4_0::decode(reinterpret_cast<const std::byte*>(&b), w, 32);
  CHECK(w[0] == -8.0f);
  CHECK(w[1] == 7.0f);
  CHECK(w[17] == 3.0f);

  float y[32] = {};
  y[5] = 16.0f;  // positive largest: d = -2, so q = 0 is +16
  y[6] = -14.0f;
  const BlockQ4_0 c = quantize_q4_0(y);
  CHECK(c.d == fp16_from_float(-2.0f));
  float v[32];
  Q4_0::decode(reinterpret_cast<const std::byte*>(&c), v, 32);
  CHECK(v[5] == 16.0f);
  CHECK(v[6] == -14.0f);
  CHECK(v[0] == 0.0f);
}

TEST_CASE("the quantized kernels refuse a k of partial blocks, naming the rule") {
  const auto* q4 = Registry::get().kernel("gemv_q4_0");
  REQUIRE(q4 != nullptr);
  try {
    q4->normalize(parse_dims("n:4,k:100"));
    FAIL("k = 100 accepted");
  } catch (const std::invalid_argument& e) {
    CHECK_THAT(e.what(), Catch::Contains("k = 100 is not a multiple of 32") && Catch::Contains("q4_0") &&
                             Catch::Contains("k = 96 or 128"));
  }
  CHECK_NOTHROW(Registry::get().kernel("gemv_bf16")->normalize(parse_dims("n:4,k:101")));
}

TEST_CASE("the quantized kernels' workspaces hold every adversarial block and count stored bytes") {
  const GemvShape s{3, 32 * 40};  // 120 blocks: every kind several times
  const GemvQ4_0Kernel::Workspace ws = GemvQ4_0Kernel::make_workspace(s, 42, Alloc{});
  int largest = 0, subnormal = 0, negative = 0, all_minus8 = 0;
  for (std::int64_t g = 0; g < s.n * s.k / 32; ++g) {
    BlockQ4_0 b;
    std::memcpy(&b, ws.w.data() + g * 18, 18);
    largest += b.d == 0x7bff;
    subnormal += (b.d & 0x7c00) == 0 && (b.d & 0x3ff) != 0;
    negative += (b.d & 0x8000) != 0;
    bool minus8 = true;
    for (int j = 0; j < 32; ++j) minus8 = minus8 && q4_0_nibble(b, j) == 0;
    all_minus8 += minus8;
  }
  CHECK(largest >= 2);
  CHECK(subnormal >= 2);
  CHECK(negative >= 10);
  CHECK(all_minus8 >= 2);
  const Work w = GemvQ4_0Kernel::model({5632, 2048});
  CHECK(w.bytes == 5632.0 * 2048 / 32 * 18 + 4.0 * (5632 + 2048));
  CHECK(w.flops == 2.0 * 5632 * 2048);
  CHECK(GemvBf16Kernel::model({2, 3}).bytes == 2 * 3 * 2 + 4 * 5);
}

TEST_CASE("the tolerance of the integer paths is x's 8-bit rounding plus fp32 rounding, no more") {
  // One row of two q8_0 blocks: the x term is Σ_j |w_j|·(0.5 + 2⁻¹⁶)·amax_b/127 and the rest
  // (k + 8)·u·Σ|w|(|x| + e).
  const GemvShape s{1, 64};
  GemvQ8_0Kernel::Workspace ws = GemvQ8_0Kernel::make_workspace(s, 7, Alloc{});
  const auto r = GemvQ8_0Kernel::reference(s, ws);
  double exact = 0, bound = 0, all = 0;
  std::vector<float> w(64);
  Q8_0::decode(ws.w.data(), w.data(), 64);
  for (int b = 0; b < 2; ++b) {
    double amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::abs(double(ws.x[32 * b + j])));
    for (int j = 0; j < 32; ++j) {
      const double e = (0.5 + 0x1p-16) * amax / 127, wj = w[32 * b + j], xj = ws.x[32 * b + j];
      exact += wj * xj;
      bound += std::abs(wj) * e;
      all += std::abs(wj) * (std::abs(xj) + e);
    }
  }
  CHECK(r.y[0] == Approx(exact).epsilon(1e-12));
  CHECK(r.bound[0] == Approx(bound + 72 * 0x1p-24 * all).epsilon(1e-12));
}

TEST_CASE("the ISA check knows the features the quantized variants need") {
  CHECK(isa_features(CROMWELL_AVX_VNNI) == std::vector<std::string>{"avx2", "fma", "f16c", "avxvnni"});
  CHECK(isa_features(CROMWELL_AVX512_VNNI).size() == 7);
  CHECK(isa_features(CROMWELL_AVX512_BF16).back() == "f16c");
  for (const char* f : {"avxvnni", "avx512vnni", "avx512bf16"}) CHECK_NOTHROW(cpu_has(f));
}
