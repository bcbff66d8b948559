#pragma once
// GEMM: C = A·B in fp32.
//
// Shapes and layout: A is m×k, B is k×n, C is m×n, all row-major and dense (lda = k, ldb = n,
// ldc = n). Every dimension ≥ 1. Variants overwrite C (beta = 0: C's old contents are never read)
// and must handle every m, n, k, including 1 and sizes that are multiples of no tile, micro-tile
// or vector width. Buffers are 64-byte aligned plus the `align` axis offset, so variants may not
// assume any alignment.
//
// Data: A and B hold uniform values in [-1, 1) from the seed; C starts as NaN so that a variant
// that skips an element fails.
//
// Tolerance: a dot product of length k computed in fp32 in any order, with or without FMA, obeys
// |ĉ − c| ≤ γ_k · (|A|·|B|)_ij with γ_k = k·u / (1 − k·u), u = 2⁻²⁴ (Higham, "Accuracy and
// Stability of Numerical Algorithms", §3.1), plus u·|c| for the final rounding. The check allows
// (k + 2)·u·(|A|·|B|)_ij, computed in double: a rigorous bound, so a correct variant never fails,
// and a wrong element is caught unless its error hides under the bound.
// For large shapes (m·n·k > 2²⁷) the reference is the randomized projection of BLIS's test suite:
// with a random vector t, compare C·t with A·(B·t) within (k + 2)·u·|A|·(|B|·|t|) + n·u·|C|·|t|;
// it costs O(mk + kn + mn) instead of O(mnk) and misses a wrong C only with probability ~0.
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

struct GemmShape {
  std::int64_t m = 1, n = 1, k = 1;
};

struct GemmWorkspace {
  Buffer<float> a, b, c;
};

struct GemmKernel {
  using Shape = GemmShape;
  using Workspace = GemmWorkspace;
  struct Reference {
    bool projected = false;
    std::vector<double> c, bound;  // full: m·n values and bounds; projected: m values
    std::vector<double> t;         // projected: the random vector (n values)
  };

  static constexpr std::string_view name = "gemm";
  static constexpr std::string_view summary = "C = A·B, fp32, row-major; A m×k, B k×n";
  static constexpr std::int64_t kProjectAbove = std::int64_t{1} << 27;
  static constexpr std::uint64_t kStreamA = 1, kStreamB = 2, kStreamT = 3;
  static constexpr double kU = 0x1p-24;  // unit roundoff of fp32

  static constexpr std::array dims{Dim<Shape>{"m", &Shape::m, 512}, Dim<Shape>{"n", &Shape::n, 512},
                                   Dim<Shape>{"k", &Shape::k, 512}};
  static std::vector<Shape> default_shapes() { return {{512, 512, 512}}; }
  // Prefill of 128 tokens: QKV (2048 → 32·64 + 2·64), attention output, MLP gate/up, MLP down.
  static std::vector<Shape> llm_shapes() {
    return {{128, 2176, 2048}, {128, 2048, 2048}, {128, 5632, 2048}, {128, 2048, 5632}};
  }
  // Awkward shapes for the conformance test: 1, primes, multiples of no tile or vector width.
  static std::vector<Shape> check_shapes() {
    return {{1, 1, 1}, {1, 17, 5}, {7, 1, 3}, {13, 29, 31}, {37, 53, 17}, {97, 101, 103}, {6, 16, 1}, {65, 67, 259}};
  }

  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.m * s.k), Buffer<float>(alloc, s.k * s.n), Buffer<float>(alloc, s.m * s.n)};
    fill_uniform(ws.a.view, seed, kStreamA, alloc.pool);
    fill_uniform(ws.b.view, seed, kStreamB, alloc.pool);
    fill_nan(ws.c.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return (ws.a.size() + ws.b.size() + ws.c.size()) * sizeof(float); }

  // Whether the check of `s` is the randomized projection.
  static bool projects(const Shape& s) { return s.m * s.n * s.k > kProjectAbove; }

  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference r;
    const float* A = ws.a.data();
    const float* B = ws.b.data();
    if (!projects(s)) {
      r.c.assign(s.m * s.n, 0.0);
      r.bound.assign(s.m * s.n, 0.0);
      for (std::int64_t i = 0; i < s.m; ++i)
        for (std::int64_t p = 0; p < s.k; ++p) {
          const double a = A[i * s.k + p];
          for (std::int64_t j = 0; j < s.n; ++j) {
            const double b = B[p * s.n + j];
            r.c[i * s.n + j] += a * b;
            r.bound[i * s.n + j] += std::abs(a * b);
          }
        }
      return r;
    }
    r.projected = true;
    r.t.resize(s.n);
    for (std::int64_t j = 0; j < s.n; ++j) r.t[j] = uniform(0x7e57, kStreamT, j);
    std::vector<double> bt(s.k, 0.0), abs_bt(s.k, 0.0);
    for (std::int64_t p = 0; p < s.k; ++p)
      for (std::int64_t j = 0; j < s.n; ++j) {
        bt[p] += B[p * s.n + j] * r.t[j];
        abs_bt[p] += std::abs(B[p * s.n + j] * r.t[j]);
      }
    r.c.assign(s.m, 0.0);
    r.bound.assign(s.m, 0.0);
    for (std::int64_t i = 0; i < s.m; ++i)
      for (std::int64_t p = 0; p < s.k; ++p) {
        r.c[i] += A[i * s.k + p] * bt[p];
        r.bound[i] += std::abs(A[i * s.k + p]) * abs_bt[p];
      }
    return r;
  }

  // The output the check compares: C, m×n row-major.
  static std::span<float> output(Workspace& ws) { return ws.c.view; }

  // Row i of the projection: C·t computed from the output, A·(B·t) from the reference, and the
  // tolerance (k + 2)·u·|A|·(|B|·|t|) + n·u·|C|·|t| of the header.
  struct ProjectedRow {
    double got, expected, bound;
  };
  static ProjectedRow projected_row(const Shape& s, const Workspace& ws, const Reference& r, std::int64_t i) {
    const float* C = ws.c.data();
    double ct = 0, abs_ct = 0;
    for (std::int64_t j = 0; j < s.n; ++j) {
      ct += C[i * s.n + j] * r.t[j];
      abs_ct += std::abs(C[i * s.n + j] * r.t[j]);
    }
    return {ct, r.c[i], double(s.k + 2) * kU * r.bound[i] + double(s.n) * kU * abs_ct};
  }

  // Element i of C (row-major): the full check's bound (k + 2)·u·(|A|·|B|)_ij of the header. Under
  // the projection, C[row][col] alone moves row `row` of C·t by its error times t[col], so the
  // bound is the row's tolerance / |t[col]| (flagged `projected`), and the expected value is the
  // element computed in double from A and B (O(k)).
  static Tolerance tolerance(const Shape& s, const Workspace& ws, const Reference& r, std::size_t i) {
    if (!r.projected) return {r.c[i], double(s.k + 2) * kU * r.bound[i]};
    const std::int64_t row = std::int64_t(i) / s.n, col = std::int64_t(i) % s.n;
    double c = 0;
    for (std::int64_t p = 0; p < s.k; ++p) c += double(ws.a[row * s.k + p]) * ws.b[p * s.n + col];
    return {c, projected_row(s, ws, r, row).bound / std::abs(r.t[col]), true};
  }
  // C[i,j]; under the projection, the row of C·t that holds it.
  static std::string element_name(const Shape& s, const Workspace&, std::size_t i) {
    const std::int64_t row = std::int64_t(i) / s.n, col = std::int64_t(i) % s.n;
    return projects(s) ? fmt::format("row {} of C·t", row) : fmt::format("C[{},{}]", row, col);
  }

  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    const float* C = ws.c.data();
    if (!r.projected) {
      for (std::size_t i = 0; i < std::size_t(s.m * s.n); ++i)
        if (const Tolerance t = tolerance(s, ws, r, i); !t.accepts(C[i]))
          return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g})", element_name(s, ws, i),
                                         C[i], t.expected, t.bound));
      return Check::pass();
    }
    for (std::int64_t i = 0; i < s.m; ++i)
      if (const ProjectedRow p = projected_row(s, ws, r, i); !(std::abs(p.got - p.expected) <= p.bound))
        return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g}; randomized check)",
                                       element_name(s, ws, std::size_t(i * s.n)), p.got, p.expected, p.bound));
    return Check::pass();
  }

  static Work model(const Shape& s) {
    const double mn = double(s.m) * s.n, mk = double(s.m) * s.k, kn = double(s.k) * s.n;
    return {2.0 * mn * s.k, 4.0 * (mk + kn + mn), 4.0 * (mk + kn + 2 * mn)};
  }
};

static_assert(Kernel<GemmKernel>);

}  // namespace cromwell
