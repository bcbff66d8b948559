#pragma once
// GEMV: y = W·x in fp32 — the projections of the decode step (one token).
//
// Shapes and layout: W is n×k row-major (a row per output), x has k elements, y has n. Every
// dimension ≥ 1; any alignment. Variants overwrite y (its old contents, NaN, are never read).
// Decode shapes of the engine: k=2048 → n=5632 (MLP up/gate), k=5632 → n=2048 (MLP down),
// k=2048 → n=2176 (fused QKV: 32 query heads + 2·1 KV heads of 64).
// Tolerance: as GEMM, each y[i] is a dot product of length k in any order, with or without FMA:
// |ŷ − y| ≤ (k + 2)·u·Σ_p |W[i][p]·x[p]|, u = 2⁻²⁴, computed in double — rigorous.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"

namespace cromwell {

struct GemvShape {
  std::int64_t n = 1, k = 1;
};

// The check of a GEMV over any weight format (gemv, kernels/gemv_weights.hpp): the first y[i]
// outside K::tolerance.
template <class K>
Check check_y(const GemvShape& s, const typename K::Workspace& ws, const typename K::Reference& r) {
  for (std::size_t i = 0; i < std::size_t(s.n); ++i)
    if (const Tolerance t = K::tolerance(s, ws, r, i); !t.accepts(ws.y[i]))
      return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g})", K::element_name(s, ws, i),
                                     ws.y[i], t.expected, t.bound));
  return Check::pass();
}

struct GemvKernel {
  using Shape = GemvShape;
  struct Workspace {
    Buffer<float> w, x, y;
  };
  struct Reference {
    std::vector<double> y, bound;
  };

  static constexpr std::string_view name = "gemv";
  static constexpr std::string_view summary = "y = W·x, fp32; W n×k row-major (decode projections)";
  static constexpr std::array dims{Dim<Shape>{"n", &Shape::n, 5632}, Dim<Shape>{"k", &Shape::k, 2048}};
  static std::vector<Shape> default_shapes() { return {{5632, 2048}, {2048, 5632}, {2176, 2048}}; }
  // Decode: MLP gate/up, MLP down, QKV, attention output.
  static std::vector<Shape> llm_shapes() { return {{5632, 2048}, {2048, 5632}, {2176, 2048}, {2048, 2048}}; }
  static std::vector<Shape> check_shapes() {
    return {{1, 1}, {1, 37}, {7, 1}, {13, 29}, {97, 101}, {8, 16}, {65, 259}, {3, 1031}};
  }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.n * s.k), Buffer<float>(alloc, s.k), Buffer<float>(alloc, s.n)};
    fill_uniform(ws.w.view, seed, 1, alloc.pool);
    fill_uniform(ws.x.view, seed, 2, alloc.pool);
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return (ws.w.size() + ws.x.size() + ws.y.size()) * sizeof(float); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference r{std::vector<double>(s.n, 0.0), std::vector<double>(s.n, 0.0)};
    for (std::int64_t i = 0; i < s.n; ++i)
      for (std::int64_t p = 0; p < s.k; ++p) {
        const double t = double(ws.w[i * s.k + p]) * ws.x[p];
        r.y[i] += t;
        r.bound[i] += std::abs(t);
      }
    return r;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound: (k + 2)·u·Σ_p |W[i][p]·x[p]|.
  static Tolerance tolerance(const Shape& s, const Workspace&, const Reference& r, std::size_t i) {
    return {r.y[i], double(s.k + 2) * 0x1p-24 * r.bound[i]};
  }
  static std::string element_name(const Shape&, const Workspace&, std::size_t i) { return fmt::format("y[{}]", i); }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) { return check_y<GemvKernel>(s, ws, r); }
  static Work model(const Shape& s) {
    const double nk = double(s.n) * s.k;
    return {2.0 * nk, 4.0 * (nk + s.k + s.n), 4.0 * (nk + s.k + 2.0 * s.n)};
  }
};

static_assert(Kernel<GemvKernel>);

}  // namespace cromwell
