#pragma once
// copy: y = x, fp32 — a streaming copy of a large array: the home of non-temporal stores.
//
// Shape: n ≥ 1 elements. x and y do not overlap; any n and any alignment (y may be misaligned,
// so variants with aligned stores must handle a head and a tail). The check is exact.
// Work: 8n compulsory bytes (read x, write y); 12n with the read-for-ownership of y that ordinary
// stores cause and non-temporal stores avoid.
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

struct CopyKernel {
  using Shape = StreamShape;
  struct Workspace {
    Buffer<float> x, y;
  };
  struct Reference {};  // the input itself is the answer

  static constexpr std::string_view name = "copy";
  static constexpr std::string_view summary = "y = x, fp32: streaming copy (non-temporal stores)";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, std::int64_t{1} << 26}};
  static std::vector<Shape> default_shapes() { return {{std::int64_t{1} << 26}}; }
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {31}, {33}, {1000}, {4099}, {65537}}; }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n), Buffer<float>(alloc, s.n)};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 2 * ws.x.size() * sizeof(float); }
  static Reference reference(const Shape&, const Workspace&) { return {}; }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // Exact: y[i] is x[i].
  static Tolerance tolerance(const Shape&, const Workspace& ws, const Reference&, std::size_t i) {
    return {ws.x[i], 0};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::size_t i = 0; i < std::size_t(s.n); ++i)
      if (const Tolerance t = tolerance(s, ws, r, i); !t.accepts(ws.y[i]))
        return Check::fail(fmt::format("{} = {}, expected {}", element_name(s, ws, i), ws.y[i], float(t.expected)));
    return Check::pass();
  }
  static Work model(const Shape& s) { return {0.0, 8.0 * s.n, 12.0 * s.n}; }
};

static_assert(Kernel<CopyKernel>);

}  // namespace cromwell
