#pragma once
// read: s = Σ x[i], fp32 — a streaming sum of a large array: the machine's read bandwidth,
// measured in the same sweep as the kernels bound by it.
//
// Shape: n ≥ 1 elements. Variants write the sum to `sum` and must handle any n and any alignment.
// Data: integers in [-8, 8] stored as floats, so every partial sum of any order is an integer far
// below 2²⁴ (a random walk of n = 2²⁸ steps stays below 10⁶ with overwhelming probability) and
// every summation order gives the exact result: the check allows no error, so a variant that
// skips or repeats elements fails. `sum` starts as NaN, so a variant that never writes it fails.
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

struct ReadKernel {
  using Shape = StreamShape;
  struct Workspace {
    Buffer<float> x;
    float sum = std::numeric_limits<float>::quiet_NaN();  // NaN until a variant writes it
  };
  using Reference = double;

  static constexpr std::string_view name = "read";
  static constexpr std::string_view summary = "s = Σ x[i], fp32: streaming read bandwidth";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, std::int64_t{1} << 26}};
  static std::vector<Shape> default_shapes() { return {{std::int64_t{1} << 26}}; }
  // The sizes of the decode GEMVs' weights (5632·2048, 2176·2048, 2048·2048 floats), so that
  // gemv and read are compared at equal bytes.
  static std::vector<Shape> llm_shapes() { return {{5632 * 2048}, {2176 * 2048}, {2048 * 2048}}; }
  static std::vector<Shape> check_shapes() { return {{1}, {7}, {31}, {33}, {1000}, {4099}, {65537}}; }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n), std::numeric_limits<float>::quiet_NaN()};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    for (auto& v : ws.x.view) v = std::round(v * 8.0f);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return ws.x.size() * sizeof(float); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    double sum = 0;
    for (std::int64_t i = 0; i < s.n; ++i) sum += ws.x[i];
    return sum;
  }
  static std::span<float> output(Workspace& ws) { return {&ws.sum, 1}; }
  // Exact: every summation order gives the reference (see above).
  static Tolerance tolerance(const Shape&, const Workspace&, const Reference& r, std::size_t) { return {r, 0}; }
  static std::string element_name(const Shape&, const Workspace&, std::size_t) { return "sum"; }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    if (const Tolerance t = tolerance(s, ws, r, 0); !t.accepts(ws.sum))
      return Check::fail(fmt::format("{} = {}, expected exactly {}", element_name(s, ws, 0), ws.sum, t.expected));
    return Check::pass();
  }
  static Work model(const Shape& s) { return {double(s.n), 4.0 * s.n, 4.0 * s.n}; }
};

static_assert(Kernel<ReadKernel>);

}  // namespace cromwell
