#pragma once
// RMSNorm: y = x / sqrt(mean(x²) + eps) · scale, row-wise, fp32, eps = 1e-5.
//
// Shapes: x and y are rows×n row-major, scale has n elements; rows, n ≥ 1, any alignment.
// Variants overwrite y and never read it. Engine shapes: n = 2048 (hidden), rows = 1 (decode)
// or 128 (prefill).
// Tolerance: the sum of n squares (all ≥ 0) in fp32 in any order has relative error ≤ n·u
// (u = 2⁻²⁴); the square root halves it; the division, the reciprocal square root (≤ 1.5 u when
// refined by Newton) and two products add a few u. So |ŷ − y| ≤ (n/2 + 8)·u·|y|; the check
// allows (n + 16)·u·|y| + u·|scale|·eps-sized slack: rigorous with margin, tight enough that an
// element left out of the sum (relative error ≥ x²/Σx² ≈ 1/n) fails for n ≥ 2 — and exact
// element-wise work makes the n = 1 case checkable too.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"
#include "kernels/shapes.hpp"

namespace cromwell {

struct RmsnormKernel {
  using Shape = RowsShape;
  struct Workspace {
    Buffer<float> x, scale, y;
  };
  using Reference = std::vector<double>;
  static constexpr float kEps = 1e-5f;

  static constexpr std::string_view name = "rmsnorm";
  static constexpr std::string_view summary = "y = x / sqrt(mean(x²) + eps) · scale, row-wise, fp32";
  static constexpr std::array dims{Dim<Shape>{"rows", &Shape::rows, 1}, Dim<Shape>{"n", &Shape::n, 2048}};
  static std::vector<Shape> default_shapes() { return {{1, 2048}, {128, 2048}, {8192, 2048}}; }
  static std::vector<Shape> llm_shapes() { return {{1, 2048}, {128, 2048}}; }  // decode, prefill
  static std::vector<Shape> check_shapes() { return {{1, 1}, {1, 7}, {3, 31}, {5, 33}, {2, 1000}, {7, 4099}}; }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.rows * s.n), Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.rows * s.n)};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    fill_uniform(ws.scale.view, seed, 2, alloc.pool);
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) {
    return (ws.x.size() + ws.scale.size() + ws.y.size()) * sizeof(float);
  }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference y(s.rows * s.n);
    for (std::int64_t r = 0; r < s.rows; ++r) {
      double ss = 0;
      for (std::int64_t i = 0; i < s.n; ++i) ss += double(ws.x[r * s.n + i]) * ws.x[r * s.n + i];
      const double inv = 1.0 / std::sqrt(ss / double(s.n) + double(kEps));
      for (std::int64_t i = 0; i < s.n; ++i) y[r * s.n + i] = ws.x[r * s.n + i] * inv * ws.scale[i];
    }
    return y;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound: (n + 16)·u·|y| plus a tiny absolute slack (1e-30).
  static Tolerance tolerance(const Shape& s, const Workspace&, const Reference& y, std::size_t i) {
    return {y[i], double(s.n + 16) * 0x1p-24 * std::abs(y[i]) + 1e-30};
  }
  static std::string element_name(const Shape& s, const Workspace&, std::size_t i) {
    return fmt::format("y[{},{}]", std::int64_t(i) / s.n, std::int64_t(i) % s.n);
  }
  static Check check(const Shape& s, const Workspace& ws, const Reference& y) {
    for (std::size_t i = 0; i < std::size_t(s.rows * s.n); ++i)
      if (const Tolerance t = tolerance(s, ws, y, i); !t.accepts(ws.y[i]))
        return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g})", element_name(s, ws, i),
                                       ws.y[i], t.expected, t.bound));
    return Check::pass();
  }
  static Work model(const Shape& s) {
    const double rn = double(s.rows) * s.n;
    return {4.0 * rn, 4.0 * (2 * rn + s.n), 4.0 * (3 * rn + s.n)};
  }
};

static_assert(Kernel<RmsnormKernel>);

}  // namespace cromwell
