#pragma once
// softmax: y[r][i] = exp(x[r][i] − max_r) / Σ_j exp(x[r][j] − max_r), row-wise, fp32,
// numerically stable (the row maximum is subtracted first).
//
// Shapes: x and y are rows×n row-major; rows, n ≥ 1; any alignment; y is overwritten and never
// read. Engine shapes: attention probabilities, rows = 32 heads × query tokens, n = cache_len
// (decode: 32 × 512/2048/4096; prefill: 32·128 × 128).
// Edges: −inf entries give 0; a row of −inf but one entry gives 1 there; very large values do
// not overflow; a row that is entirely −inf has no defined result (NaN in the reference and
// in the variants) and is not generated.
// Tolerance: with exp accurate to E ULP (E ≤ 2: libm's expf, the AVX2 exp of
// variants/vecmath_avx2.hpp), each term carries (E + 1)·u relative error, the sum of n positive
// terms (n + E + 1)·u, the division u: |ŷ − y| ≤ (n + 2E + 4)·u·y. The check allows
// (n + 16)·u·y, plus 2⁻¹⁴⁸ for results that underflow into the subnormal range.
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

struct SoftmaxKernel {
  using Shape = RowsShape;
  struct Workspace {
    Buffer<float> x, y;
  };
  using Reference = std::vector<double>;

  static constexpr std::string_view name = "softmax";
  static constexpr std::string_view summary = "y = exp(x − max) / Σ exp(x − max), row-wise, fp32";
  static constexpr std::array dims{Dim<Shape>{"rows", &Shape::rows, 32}, Dim<Shape>{"n", &Shape::n, 4096}};
  static std::vector<Shape> default_shapes() { return {{32, 4096}, {16384, 4096}}; }
  static std::vector<Shape> llm_shapes() { return {{32, 512}, {32, 2048}, {32, 4096}, {32 * 128, 128}}; }
  // 8197: rows longer than the scratch row of softmax.avx2 (8192 floats).
  static std::vector<Shape> check_shapes() {
    return {{1, 1}, {1, 7}, {4, 31}, {5, 33}, {3, 1000}, {6, 4099}, {4, 8197}};
  }

  // Row 0 and rows from 4 on hold plain values in [-8, 8) (the range of attention scores, so
  // timings see the common case); row 1 has −inf entries, row 2 is −inf everywhere but one entry,
  // row 3 has very large values (up to ±3e38, differences that overflow any naive exp). The
  // check shapes have 3 to 6 rows, so every variant is checked on each kind.
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.rows * s.n), Buffer<float>(alloc, s.rows * s.n)};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    const float inf = std::numeric_limits<float>::infinity();
    for (std::int64_t r = 0; r < s.rows; ++r) {
      float* row = ws.x.data() + r * s.n;
      for (std::int64_t i = 0; i < s.n; ++i) {
        switch (r) {
          case 1:
            row[i] = (i % 3 == 1) ? -inf : row[i] * 8.0f;
            break;
          case 2:
            row[i] = (i == s.n / 2) ? row[i] : -inf;
            break;
          case 3:
            row[i] *= 3e38f;
            break;
          default:
            row[i] *= 8.0f;
            break;
        }
      }
    }
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return 2 * ws.x.size() * sizeof(float); }
  static Reference reference(const Shape& s, const Workspace& ws) {
    Reference y(s.rows * s.n);
    for (std::int64_t r = 0; r < s.rows; ++r) {
      const float* row = ws.x.data() + r * s.n;
      double m = -std::numeric_limits<double>::infinity(), sum = 0;
      for (std::int64_t i = 0; i < s.n; ++i) m = std::max(m, double(row[i]));
      for (std::int64_t i = 0; i < s.n; ++i) sum += std::exp(double(row[i]) - m);
      for (std::int64_t i = 0; i < s.n; ++i) y[r * s.n + i] = std::exp(double(row[i]) - m) / sum;
    }
    return y;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound: (n + 16)·u·y, plus 2⁻¹⁴⁸ for results that underflow into the subnormals.
  static Tolerance tolerance(const Shape& s, const Workspace&, const Reference& y, std::size_t i) {
    return {y[i], double(s.n + 16) * 0x1p-24 * y[i] + 0x1p-148};
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
    return {5.0 * rn, 8.0 * rn, 12.0 * rn};
  }
};

static_assert(Kernel<SoftmaxKernel>);

}  // namespace cromwell
