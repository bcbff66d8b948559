#pragma once
// add: the residual add y = a + b, element-wise, fp32.
//
// Shape: n ≥ 1 elements (the engine: the hidden size 2048 per token; 128·2048 for a prefill);
// any alignment; y is overwritten and never read before its element is. Variants read a[i] and b[i]
// before writing y[i] and nothing after, so y may be a or b itself (an in-place residual add);
// the workspaces made here keep them apart.
// Data: a = uniform(seed, 1, i) in [-1, 1) (the residual stream), b = uniform(seed, 2, i)/16 (a
// sublayer's smaller output): b has bits below a's last one, so many sums are not exact floats
// and the rounding is tested.
// Tolerance: none. A float addition is correctly rounded (IEEE 754, round to nearest even), in
// any vector width, so every variant must return exactly float(double(a) + double(b)): with these
// data the exact sum is a multiple of 2⁻²⁷ below 2 in magnitude, which a double holds exactly,
// so rounding it once to float gives the correctly rounded float sum. Bound 0: one ULP off fails.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"
#include "kernels/shapes.hpp"

namespace cromwell {

struct AddKernel {
  using Shape = StreamShape;
  struct Workspace {
    Buffer<float> a, b, y;
  };
  using Reference = std::vector<double>;  // each the correctly rounded float sum

  static constexpr std::string_view name = "add";
  static constexpr std::string_view summary = "y = a + b (residual add), element-wise, fp32";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, 2048}};
  static std::vector<Shape> default_shapes() { return {{2048}, {128 * 2048}}; }
  static std::vector<Shape> llm_shapes() { return {{2048}, {128 * 2048}}; }  // decode, prefill
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {17}, {31}, {33}, {1000}, {4099}, {65537}}; }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n)};
    fill_uniform(ws.a.view, seed, 1, alloc.pool);
    fill_uniform(ws.b.view, seed, 2, alloc.pool);
    for (std::int64_t i = 0; i < s.n; ++i) ws.b[i] *= 0.0625f;
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 3 * ws.a.size() * sizeof(float); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference y(s.n);
    for (std::int64_t i = 0; i < s.n; ++i) y[i] = float(double(ws.a[i]) + double(ws.b[i]));
    return y;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // Exactly the correctly rounded float sum.
  static Tolerance tolerance(const Shape&, const Workspace&, const Reference& y, std::size_t i) { return {y[i], 0}; }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& y) {
    for (std::size_t i = 0; i < std::size_t(s.n); ++i)
      if (const Tolerance t = tolerance(s, ws, y, i); !t.accepts(ws.y[i]))
        return Check::fail(fmt::format("{} = {:.9g} for a = {:.9g}, b = {:.9g}, expected {:.9g} (exact)",
                                       element_name(s, ws, i), ws.y[i], ws.a[i], ws.b[i], t.expected));
    return Check::pass();
  }
  static Work model(const Shape& s) { return {1.0 * s.n, 12.0 * s.n, 16.0 * s.n}; }
};

static_assert(Kernel<AddKernel>);

}  // namespace cromwell
