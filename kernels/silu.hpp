#pragma once
// SiLU: y = x · sigmoid(x) = x / (1 + e^−x), element-wise, fp32 — the gate of the SwiGLU MLP.
//
// Shape: n ≥ 1 elements (the engine: 5632 per token; 128·5632 for a prefill); any alignment; y
// is overwritten and never read.
// Tolerance: the vector SiLU of variants/vecmath_avx2.hpp is within 4 ULP for x ≥ −87.3 and
// within |x|·2⁻¹⁴⁸ absolute below; libm's expf-based scalar form is within 3 ULP where e^−x does
// not overflow. The check allows 8 ULP (8·u·|y|) plus |x|·2⁻¹⁴⁷ absolute; a result that underflows
// (|y| < 2⁻¹²⁶) may be any value of at most 2⁻¹²⁶ (0 included). ±inf give +inf and −0 exactly.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/shapes.hpp"

namespace cromwell {

struct SiluKernel {
  using Shape = StreamShape;
  struct Workspace {
    Buffer<float> x, y;
  };
  using Reference = std::vector<double>;

  static constexpr std::string_view name = "silu";
  static constexpr std::string_view summary = "y = x · sigmoid(x), element-wise, fp32";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, std::int64_t{1} << 26}};
  static std::vector<Shape> default_shapes() { return {{std::int64_t{1} << 26}}; }
  static std::vector<Shape> llm_shapes() { return {{5632}, {128 * 5632}}; }
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {31}, {33}, {1000}, {4099}, {65537}}; }
  // Values in [-16, 16) (the range activations live in), with ±0, ±inf and extremes in the first
  // 7 of every 4099 elements (the check shapes see them at the start and, at n = 65537, at every
  // lane position; timings see the common case).
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n)};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    const float inf = std::numeric_limits<float>::infinity();
    const float special[] = {0.0f, -0.0f, inf, -inf, -100.0f, 100.0f, -88.0f};
    for (std::int64_t i = 0; i < s.n; ++i) ws.x[i] = (i % 4099 < 7) ? special[i % 4099] : ws.x[i] * 16.0f;
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 2 * ws.x.size() * sizeof(float); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference y(s.n);
    for (std::int64_t i = 0; i < s.n; ++i) {
      const double x = ws.x[i];
      y[i] = std::isinf(x) ? (x > 0 ? x : -0.0) : x / (1.0 + std::exp(-x));
    }
    return y;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound: 8 ULP plus |x|·2⁻¹⁴⁷; exact for x = ±inf.
  static Tolerance tolerance(const Shape&, const Workspace& ws, const Reference& y, std::size_t i) {
    const double x = ws.x[i];
    if (std::isinf(x)) return {y[i], 0};
    // Results that underflow (|y| < 2⁻¹²⁶) may come back as any value of at most that size.
    return {y[i], 8 * 0x1p-24 * std::abs(y[i]) +
                      std::max(std::abs(x) * 0x1p-147, std::abs(y[i]) < 0x1p-126 ? 0x1p-126 : 0.0)};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& y) {
    return check_elementwise<SiluKernel>(s, ws, y);
  }
  static Work model(const Shape& s) { return {4.0 * s.n, 8.0 * s.n, 12.0 * s.n}; }
};

static_assert(Kernel<SiluKernel>);

}  // namespace cromwell
