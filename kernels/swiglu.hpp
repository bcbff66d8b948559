#pragma once
// swiglu: the SwiGLU gate y = silu(g) · u = g / (1 + e^−g) · u, element-wise, fp32 — the gate and
// up projections of the MLP combined before the down projection.
//
// Shape: n ≥ 1 elements (the engine: the MLP width 5632 per token; 128·5632 for a prefill); any
// alignment; y is overwritten and never read.
// Data: g as silu's x (values in [-16, 16), with ±0, ±inf and extremes in the first 7 of every
// 4099 elements); u = uniform(seed, 2, i) in [-1, 1).
// Tolerance: from silu's (kernels/silu.hpp): a variant's ŝ = silu(g) is within
// B = 8·u·|s| + max(|g|·2⁻¹⁴⁷, 2⁻¹²⁶ where |s| < 2⁻¹²⁶), u = 2⁻²⁴; then one rounding of the product
// ŝ·u_i, relative u, or absolute ≤ 2⁻¹⁵⁰ where it is subnormal. So
//   |ŷ − s·u_i| ≤ |u_i|·B + |ŝ·u_i|·u + 2⁻¹⁴⁹ ≤ |u_i|·(B·(1 + u) + u·|s|) + 2⁻¹⁴⁹.
// g = ±inf gives silu(g) = +inf or −0 exactly, and y = that times u_i exactly (bound 0).
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
#include "kernels/silu.hpp"

namespace cromwell {

struct SwigluKernel {
  using Shape = StreamShape;
  struct Workspace {
    Buffer<float> g, u, y;
  };
  struct Reference {
    std::vector<double> y, bound;
  };

  static constexpr std::string_view name = "swiglu";
  static constexpr std::string_view summary = "y = silu(g) · u (SwiGLU gate), element-wise, fp32";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, 5632}};
  static std::vector<Shape> default_shapes() { return {{5632}, {128 * 5632}}; }
  static std::vector<Shape> llm_shapes() { return {{5632}, {128 * 5632}}; }  // decode, prefill
  static std::vector<Shape> check_shapes() { return SiluKernel::check_shapes(); }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n)};
    fill_uniform(ws.g.view, seed, 1, alloc.pool);
    const float inf = std::numeric_limits<float>::infinity();
    const float special[] = {0.0f, -0.0f, inf, -inf, -100.0f, 100.0f, -88.0f};
    for (std::int64_t i = 0; i < s.n; ++i) ws.g[i] = (i % 4099 < 7) ? special[i % 4099] : ws.g[i] * 16.0f;
    fill_uniform(ws.u.view, seed, 2, alloc.pool);
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 3 * ws.g.size() * sizeof(float); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference r{std::vector<double>(s.n), std::vector<double>(s.n)};
    constexpr double u = 0x1p-24;
    for (std::int64_t i = 0; i < s.n; ++i) {
      const double g = ws.g[i], ui = ws.u[i];
      const double silu = std::isinf(g) ? (g > 0 ? g : -0.0) : g / (1.0 + std::exp(-g));
      r.y[i] = silu * ui;
      if (std::isinf(g)) continue;  // bound 0
      const double b =
          8 * u * std::abs(silu) + std::max(std::abs(g) * 0x1p-147, std::abs(silu) < 0x1p-126 ? 0x1p-126 : 0.0);
      r.bound[i] = std::abs(ui) * (b * (1 + u) + u * std::abs(silu)) + 0x1p-149;
    }
    return r;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound |u|·(B·(1 + u) + u·|silu(g)|) + 2⁻¹⁴⁹; exact for g = ±inf.
  static Tolerance tolerance(const Shape&, const Workspace&, const Reference& r, std::size_t i) {
    return {r.y[i], r.bound[i]};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::size_t i = 0; i < std::size_t(s.n); ++i)
      if (const Tolerance t = tolerance(s, ws, r, i); !t.accepts(ws.y[i]))
        return Check::fail(fmt::format("{} = {:.9g} for g = {:.9g}, u = {:.9g}, expected {:.9g} (tolerance {:.3g})",
                                       element_name(s, ws, i), ws.y[i], ws.g[i], ws.u[i], t.expected, t.bound));
    return Check::pass();
  }
  // silu's 4 flops per element and the product; g and u read, y written.
  static Work model(const Shape& s) { return {5.0 * s.n, 12.0 * s.n, 16.0 * s.n}; }
};

static_assert(Kernel<SwigluKernel>);

}  // namespace cromwell
