#pragma once
// gemv_bf16, gemv_q8_0, gemv_q4_0: y = W·x with W stored in a weight format (kernels/weights.hpp),
// x and y fp32 — the decode projections as inference engines store their weights. gemv is the
// same operation on fp32 weights.
//
// Why a kernel per format (one template, three kernels), not a parameter or a shape dimension:
// the format decides the workspace (the stored bytes), the work model (a q4_0 weight moves 18/32
// bytes), the reference (the dequantised weights) and the validity rule (k a multiple of 32), and
// a parameter may not change the data or the reference of a shape (harness/core/kernel.hpp).
// The key names the format (`gemv_q4_0.avx512_vnni/n:5632,k:2048/...`), and one sweep puts every
// format in one table: `cromwell sweep 'gemv*' --shapes llm`.
//
// Shapes and layout: W is n rows of k weights, row i at byte i·row_bytes(k), each row a sequence
// of blocks (bf16: one weight of 2 bytes; q8_0, q4_0: 32 weights in 34 or 18 bytes); x has k
// elements, y has n. Every dimension ≥ 1; for q8_0 and q4_0, k must be a multiple of 32 (a row is
// whole blocks, as in ggml): validate() refuses any other k with the rule. Any alignment of the
// buffers (blocks are 2-byte aligned at best). Variants overwrite y.
//
// Data: W(i, j) = the same uniform fp32 value as gemv's W, stored in the format, except that every
// fifth block (bf16: every seventh weight) is replaced by an adversarial one, so that every
// variant meets them wherever it is checked: q8_0 / q4_0 blocks with the largest fp16 scale
// (65504), a negative scale, the smallest and largest subnormal scales (±2⁻²⁴, −(2⁻¹⁴ − 2⁻²⁴)),
// a zero scale, and quants all at an extreme (q8_0: −128, which ggml's quantizer never writes but a
// file may hold, and 127; q4_0: all 0, i.e. −8, and all 15); bf16 weights ±2⁻¹²⁶ (the smallest
// normal), 2⁶⁴ and −0. x as gemv's x.
// Work: flops 2·n·k whatever the format; bytes = the stored bytes of W + 4·(k + n), so that GB/s
// compares with read.avx2 on the same bytes.
//
// Tolerance. Let ŵ be the dequantised weights (exact in fp32) and x̂ the x a variant multiplies
// them by. Variants that keep x in fp32 (naive, avx2) have x̂ = x. Others round x once per call,
// as ggml does: avx512_bf16 to bf16 (8 significant bits, nearest even: |x̂_j − x_j| ≤ 2⁻⁸·|x_j|,
// plus 2⁻¹²⁶ for an x that vdpbf16ps flushes as subnormal), the integer variants to 8-bit blocks
// of 32 with an fp32 scale d = amax_b/127 (variants/weights_x.hpp): q = round(x·127/amax_b),
// |q| ≤ 127, and
// |x̂_j − x_j| ≤ (0.5 + 2⁻¹⁶)·amax_b(x)/127 — better than ggml's fp16 scale, whose rounding adds
// up to 127·2⁻¹¹·d (the 0.57·amax/127 of its bound). With e_j that bound for the format,
//   |ŷ_i − Σ_j ŵ_ij·x_j| ≤ Σ_j |ŵ_ij|·e_j + (k + 8)·u·Σ_j |ŵ_ij|·(|x_j| + e_j),   u = 2⁻²⁴,
// computed in double: the first term is x's rounding, the second every fp32 rounding on the way —
// a dot product of k terms in any order and any blocking (γ_k), with at most 8 more roundings on
// any term's path (a block's scale product d_w·d_x, its sum's conversion and scaling, the
// horizontal sums); integer block sums are exact (|Σ q_w·q_x| ≤ 32·127·127 < 2²⁴). For bf16 add
// (k + 2)·2⁻¹²⁶ for vdpbf16ps's flushed subnormal results. Rigorous, for finite x and W whose
// bf16 weights are not subnormal (vdpbf16ps reads them as zero).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "harness/platform/pool.hpp"
#include "kernels/gemv.hpp"
#include "kernels/weights.hpp"

namespace cromwell {

namespace gemv_weights {

// Per format: the kernel's name and summary; how a variant may round x (e_j = x_rel·|x_j| + x_abs +
// x_block·amax_b(x)/127, amax_b over x's block of 32) and a flush term (bf16); which stored blocks
// are made adversarial (the header's Data): adversarial(kind, block) rewrites every `every`-th
// block of W, kind = its index among them.
struct Bf16 : weights::Bf16 {
  static constexpr std::string_view name = "gemv_bf16", label = "bf16";
  static constexpr std::string_view summary = "y = W·x, W in bf16, x and y fp32 (decode projections)";
  static constexpr double x_rel = 0x1p-8, x_abs = 0x1p-126, x_block = 0, flush = 0x1p-126;
  static constexpr std::int64_t every = 7;
  static void adversarial(std::int64_t kind, std::byte* w) {
    static constexpr std::uint16_t values[] = {0x0080, 0x8080, 0x5f80, 0x8000};  // ±2⁻¹²⁶, 2⁶⁴, −0
    std::memcpy(w, &values[kind % 4], 2);
  }
};
// The q8_0 / q4_0 kinds: a scale (or none: keep the block's), and quants all set to `fill` (or not).
struct AdversarialBlock {
  int scale;  // fp16 bits, or −1
  int fill;   // the byte written to every qs, or −1
};
inline constexpr AdversarialBlock kAdversarial[] = {{0x7bff, -1},   {0xbc00, -1},   {0x0001, -1},
                                                    {0x83ff, -1},   {0x0000, -1},   {-1, 0x80},
                                                    {0x7bff, 0x7f}, {0xc000, 0x00}, {-1, 0xff}};
template <class Base>
void rewrite_block(std::int64_t kind, std::byte* w) {
  const AdversarialBlock a = kAdversarial[kind % std::size(kAdversarial)];
  if (a.scale >= 0) {
    const std::uint16_t d = std::uint16_t(a.scale);
    std::memcpy(w, &d, 2);
  }
  if (a.fill >= 0) std::memset(w + 2, a.fill, std::size_t(Base::block_bytes - 2));
}
struct Q8_0 : weights::Q8_0 {
  static constexpr std::string_view name = "gemv_q8_0", label = "q8_0";
  static constexpr std::string_view summary =
      "y = W·x, W in llama.cpp q8_0 blocks (32 int8 + fp16 scale), x and y fp32";
  static constexpr double x_rel = 0, x_abs = 0, x_block = 0.5 + 0x1p-16, flush = 0;
  static constexpr std::int64_t every = 5;
  static void adversarial(std::int64_t kind, std::byte* w) { rewrite_block<weights::Q8_0>(kind, w); }
};
struct Q4_0 : weights::Q4_0 {
  static constexpr std::string_view name = "gemv_q4_0", label = "q4_0";
  static constexpr std::string_view summary =
      "y = W·x, W in llama.cpp q4_0 blocks (32 4-bit + fp16 scale), x and y fp32";
  static constexpr double x_rel = 0, x_abs = 0, x_block = 0.5 + 0x1p-16, flush = 0;
  static constexpr std::int64_t every = 5;
  static void adversarial(std::int64_t kind, std::byte* w) { rewrite_block<weights::Q4_0>(kind, w); }
};

}  // namespace gemv_weights

template <class F>
struct GemvWeightsKernel {
  using Format = F;
  using Shape = GemvShape;
  struct Workspace {
    Buffer<std::byte> w;
    Buffer<float> x, y;
  };
  struct Reference {
    std::vector<double> y, bound;
  };

  static constexpr std::string_view name = F::name;
  static constexpr std::string_view summary = F::summary;
  static constexpr std::array dims = GemvKernel::dims;
  static std::vector<Shape> default_shapes() { return GemvKernel::default_shapes(); }
  static std::vector<Shape> llm_shapes() { return GemvKernel::llm_shapes(); }
  static std::vector<Shape> check_shapes() {
    if (F::block == 1) return GemvKernel::check_shapes();
    return {{1, 32}, {7, 32}, {1, 64}, {13, 96}, {97, 160}, {8, 256}, {65, 288}, {3, 1056}, {5, 1184}};
  }
  static std::string validate(const Shape& s) {
    if (s.k % F::block == 0) return {};
    return fmt::format(
        "k = {} is not a multiple of {}: {} stores a row as blocks of {} weights (k = {} or {} would do)", s.k,
        F::block, F::label, F::block, s.k / F::block * F::block, (s.k / F::block + 1) * F::block);
  }

  static std::int64_t row_bytes(std::int64_t k) { return k / F::block * F::block_bytes; }
  static const std::byte* row(const Workspace& ws, const Shape& s, std::int64_t i) {
    return ws.w.data() + i * row_bytes(s.k);
  }

  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<std::byte>(alloc, std::size_t(s.n * row_bytes(s.k))), Buffer<float>(alloc, s.k),
                 Buffer<float>(alloc, s.n)};
    const auto encode = [&](std::int64_t r0, std::int64_t r1) {
      std::vector<float> w(std::size_t(s.k));
      for (std::int64_t i = r0; i < r1; ++i) {
        for (std::int64_t p = 0; p < s.k; ++p) w[p] = uniform(seed, 1, std::uint64_t(i * s.k + p));  // gemv's W
        std::byte* out = ws.w.data() + i * row_bytes(s.k);
        F::encode(w.data(), out, s.k);
        const std::int64_t blocks = s.k / F::block;
        for (std::int64_t g = i * blocks; g < (i + 1) * blocks; ++g)  // g: the block's index in W
          if (g % F::every == F::every - 1) F::adversarial(g / F::every, out + (g - i * blocks) * F::block_bytes);
      }
    };
    if (alloc.pool != nullptr)
      alloc.pool->parallel_for(s.n, 1, encode);
    else
      encode(0, s.n);
    fill_uniform(ws.x.view, seed, 2, alloc.pool);
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return ws.w.size() + (ws.x.size() + ws.y.size()) * sizeof(float); }

  // The rounding bound e_j of x's element j (the header's).
  static std::vector<double> x_errors(const Shape& s, const float* x) {
    std::vector<double> e(std::size_t(s.k));
    for (std::int64_t b0 = 0; b0 < s.k; b0 += weights::kBlock) {
      const std::int64_t b1 = std::min(s.k, b0 + weights::kBlock);
      double amax = 0;
      for (std::int64_t j = b0; j < b1; ++j) amax = std::max(amax, std::abs(double(x[j])));
      for (std::int64_t j = b0; j < b1; ++j) e[j] = F::x_rel * std::abs(x[j]) + F::x_abs + F::x_block * amax / 127;
    }
    return e;
  }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference r{std::vector<double>(s.n, 0.0), std::vector<double>(s.n, 0.0)};
    const std::vector<double> e = x_errors(s, ws.x.data());
    std::vector<float> w(std::size_t(s.k));
    for (std::int64_t i = 0; i < s.n; ++i) {
      F::decode(row(ws, s, i), w.data(), s.k);
      double x_term = 0, all = 0;
      for (std::int64_t p = 0; p < s.k; ++p) {
        r.y[i] += double(w[p]) * ws.x[p];
        x_term += std::abs(double(w[p])) * e[p];
        all += std::abs(double(w[p])) * (std::abs(double(ws.x[p])) + e[p]);
      }
      r.bound[i] = x_term + double(s.k + 8) * 0x1p-24 * all + double(s.k + 2) * F::flush;
    }
    return r;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  static Tolerance tolerance(const Shape&, const Workspace&, const Reference& r, std::size_t i) {
    return {r.y[i], r.bound[i]};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    return check_y<GemvWeightsKernel>(s, ws, r);
  }
  static Work model(const Shape& s) {
    const double w = double(s.n) * double(row_bytes(s.k));
    return {2.0 * double(s.n) * double(s.k), w + 4.0 * double(s.k + s.n), w + 4.0 * double(s.k + 2 * s.n)};
  }
};

using GemvBf16Kernel = GemvWeightsKernel<gemv_weights::Bf16>;
using GemvQ8_0Kernel = GemvWeightsKernel<gemv_weights::Q8_0>;
using GemvQ4_0Kernel = GemvWeightsKernel<gemv_weights::Q4_0>;
static_assert(Kernel<GemvBf16Kernel> && Kernel<GemvQ8_0Kernel> && Kernel<GemvQ4_0Kernel>);

}  // namespace cromwell
