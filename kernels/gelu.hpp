#pragma once
// GeLU, tanh approximation: y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), element-wise, fp32.
//
// Shape: n ≥ 1 elements; any alignment; y is overwritten and never read. Since 1 + tanh(v) =
// 2·sigmoid(2v), variants may compute y = x·sigmoid(2v) and avoid the cancellation of 1 + tanh
// near v → −∞.
// Tolerance: v = √(2/π)·(x + 0.044715·x³) carries ≤ 4 roundings (relative 4u); sigmoid(2v) then
// moves by 2|v|·(1 − sigmoid(2v))·4u relative, the sigmoid itself adds ≤ 4 ULP and the product
// one more. The formula as written loses more where tanh v → −1: with tanh accurate to E ULP
// (E ≤ 4: libm's tanhf, the vector tanh of variants/vecmath_avx2.hpp), 1 + tanh v is known only
// to E·u absolutely, so y only to E·|x|·u/2. The check allows (8 + 8|v|)·u·|y| + 2|x|·u — both
// forms pass, and any error larger than a 4-ULP tanh fails. ±inf give +inf and −0 exactly.
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

struct GeluKernel {
  using Shape = StreamShape;
  struct Workspace {
    Buffer<float> x, y;
  };
  using Reference = std::vector<double>;
  static constexpr double kC = 0.7978845608028654;  // √(2/π)
  static constexpr double kCubic = 0.044715;

  static constexpr std::string_view name = "gelu";
  static constexpr std::string_view summary = "y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))), element-wise, fp32";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, std::int64_t{1} << 26}};
  static std::vector<Shape> default_shapes() { return {{std::int64_t{1} << 26}}; }
  static std::vector<Shape> llm_shapes() { return {{5632}, {128 * 5632}}; }
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {31}, {33}, {1000}, {4099}, {65537}}; }
  // Values in [-8, 8) with ±0, ±inf and large values in the first 7 of every 4099 elements (the
  // check shapes see them at the start and, at n = 65537, at every lane position).
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n)};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    const float inf = std::numeric_limits<float>::infinity();
    const float special[] = {0.0f, -0.0f, inf, -inf, -10.0f, 10.0f, -5.5f};
    for (std::int64_t i = 0; i < s.n; ++i) ws.x[i] = (i % 4099 < 7) ? special[i % 4099] : ws.x[i] * 8.0f;
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 2 * ws.x.size() * sizeof(float); }
  static double v_of(double x) { return kC * (x + kCubic * x * x * x); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference y(s.n);
    for (std::int64_t i = 0; i < s.n; ++i) {
      const double x = ws.x[i];
      // ½x(1 + tanh v) = x / (1 + e^(−2v)): the same value without the cancellation of 1 + tanh.
      y[i] = std::isinf(x) ? (x > 0 ? x : -0.0) : x / (1.0 + std::exp(-2.0 * v_of(x)));
    }
    return y;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound: (8 + 8|v|)·u·|y| + 2|x|·u; exact for x = ±inf.
  static Tolerance tolerance(const Shape&, const Workspace& ws, const Reference& y, std::size_t i) {
    const double x = ws.x[i];
    if (std::isinf(x)) return {y[i], 0};
    return {y[i], (8 + 8 * std::abs(v_of(x))) * 0x1p-24 * std::abs(y[i]) + 2 * std::abs(x) * 0x1p-24};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& y) {
    return check_elementwise<GeluKernel>(s, ws, y);
  }
  static Work model(const Shape& s) { return {8.0 * s.n, 8.0 * s.n, 12.0 * s.n}; }
};

static_assert(Kernel<GeluKernel>);

}  // namespace cromwell
