#pragma once
// rope: rotary position embedding, fp32, out of place — `rows` vectors of `dim` floats, all at
// position `pos` (one token's query and key heads: 32 + 1 = 33 rows of 64 in the engine), in the
// Llama / GPT-NeoX "rotate half" convention: element i pairs with element i + dim/2, and
//
//   θ_i = pos · base^(−2i/dim), base = 10000, for i in [0, dim/2):
//   y[i]         = x[i]·cos θ_i − x[i + dim/2]·sin θ_i
//   y[i + dim/2] = x[i]·sin θ_i + x[i + dim/2]·cos θ_i
//
// Shapes: x and y are [rows][dim] row-major; rows ≥ 1, dim ≥ 2 and even, 1 ≤ pos ≤ 2²⁴ (every
// dimension of this harness is ≥ 1, so position 0 — the identity — is not expressible; 2²⁴
// keeps pos an exact float). Any alignment; y is overwritten and never read.
// Data: x = uniform(seed, 1, index) in [-1, 1). The reference is computed in double, θ_i too.
//
// Tolerance, for an implementation that computes the angle in float as
// θ̂ = fl(pos · powf(base, fl(−2i/dim))) (2i and pos are exact floats), then cosf and sinf
// (glibc: within 1 ULP, so within u = 2⁻²⁴ absolute for results of magnitude ≤ 1), and the two
// products and one sum in float (with or without FMA):
//   - the exponent e = −2i/dim is rounded once: ê = e(1 + δ₁), and base^ê = base^e·exp(e·δ₁·ln base),
//     a relative change of at most κ_i·u·(1 + κ_i·u), κ_i = ln(base)·2i/dim ≤ 9.22;
//   - powf adds ≤ 1 ULP (relative ≤ 2u), the product with pos one rounding (≤ u):
//     |θ̂ − θ_i| ≤ ρ_i·θ_i with ρ_i = (κ_i + 3.01)·u (the 0.01 covers every second-order term);
//   - cos and sin are 1-Lipschitz: |ĉ − cos θ_i| ≤ ρ_i·θ_i + u, and the same for ŝ;
//   - x[i]·ĉ ∓ x[j]·ŝ is a dot product of length 2 with |ĉ|, |ŝ| ≤ 1: γ₂·(|x[i]| + |x[j]|) more,
//     γ₂ = 2u/(1 − 2u).
// So |ŷ − y| ≤ (ρ_i·θ_i + u + γ₂)·(|x[i]| + |x[i + dim/2]|) for both elements of pair i: rigorous
// for that float implementation and for any more accurate one (a cos/sin table computed in double
// and rounded to float is within u/2 + 2⁻⁴⁰ of the exact values). The angle error grows as pos·u:
// at pos 65537 the first pairs may be off by ~1% of |x| (the float angle is that far off), while
// the high-frequency end (θ_i small) is held to ~3u·|x|.
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"

namespace cromwell {

struct RopeShape {
  std::int64_t rows = 1, dim = 1, pos = 1;
};

struct RopeKernel {
  using Shape = RopeShape;
  struct Workspace {
    Buffer<float> x, y;
  };
  struct Reference {
    std::vector<double> y, bound;  // [rows][dim]
  };
  static constexpr double kBase = 10000.0;
  static constexpr std::int64_t kMaxPos = std::int64_t{1} << 24;

  static constexpr std::string_view name = "rope";
  static constexpr std::string_view summary = "rotary position embedding (rotate-half pairs), rows×dim at pos, fp32";
  static constexpr std::array dims{Dim<Shape>{"rows", &Shape::rows, 33}, Dim<Shape>{"dim", &Shape::dim, 64},
                                   Dim<Shape>{"pos", &Shape::pos, 2047}};
  static std::string validate(const Shape& s) {
    if (s.dim % 2 != 0) return fmt::format("dim {} is odd (element i pairs with element i + dim/2)", s.dim);
    if (s.pos > kMaxPos) return fmt::format("pos {} is beyond 2^24 (not an exact float)", s.pos);
    return "";
  }
  static std::vector<Shape> default_shapes() { return {{33, 64, 2047}}; }
  // One decode token (32 query heads and one key head of dim 64) at the last position of contexts
  // of 512, 2048 and 4096.
  static std::vector<Shape> llm_shapes() { return {{33, 64, 511}, {33, 64, 2047}, {33, 64, 4095}}; }
  // dim 2 (one pair), dims whose half is not a multiple of 8 (6, 18, 34, 130), odd and single
  // rows, pos 1 and large positions (4096, 65537, 1000003), and a shape big enough that
  // variants split it among threads.
  static std::vector<Shape> check_shapes() {
    return {{1, 2, 1},      {3, 2, 65537},  {33, 64, 1},     {33, 64, 2047}, {33, 64, 4096},   {7, 6, 4095},
            {5, 18, 65537}, {3, 130, 4097}, {1, 128, 65537}, {9, 34, 1},     {2, 64, 1000003}, {257, 130, 4099}};
  }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{Buffer<float>(alloc, s.rows * s.dim), Buffer<float>(alloc, s.rows * s.dim)};
    fill_uniform(ws.x.view, seed, 1, alloc.pool);
    fill_nan(ws.y.view, alloc.pool);
    return ws;
  }
  static std::size_t bytes(const Workspace& ws) { return (ws.x.size() + ws.y.size()) * sizeof(float); }

  static Reference reference(const Shape& s, const Workspace& ws) {
    const std::size_t n = std::size_t(s.rows * s.dim);
    Reference r{std::vector<double>(n), std::vector<double>(n)};
    const std::int64_t half = s.dim / 2;
    const double u = 0x1p-24, gamma2 = 2 * u / (1 - 2 * u);
    for (std::int64_t i = 0; i < half; ++i) {
      const double e = -2.0 * double(i) / double(s.dim), theta = double(s.pos) * std::pow(kBase, e);
      const double c = std::cos(theta), sn = std::sin(theta);
      const double rho = (std::log(kBase) * (-e) + 3.01) * u, slack = rho * theta + u + gamma2;
      for (std::int64_t row = 0; row < s.rows; ++row) {
        const std::int64_t a = row * s.dim + i, b = a + half;
        const double xa = ws.x[a], xb = ws.x[b];
        r.y[a] = xa * c - xb * sn;
        r.y[b] = xa * sn + xb * c;
        r.bound[a] = r.bound[b] = slack * (std::abs(xa) + std::abs(xb));
      }
    }
    return r;
  }
  static std::span<float> output(Workspace& ws) { return ws.y.view; }
  // The header's bound (ρ_i·θ_i + u + γ₂)·(|x[i]| + |x[i + dim/2]|), computed with the reference.
  static Tolerance tolerance(const Shape&, const Workspace&, const Reference& r, std::size_t i) {
    return {r.y[i], r.bound[i]};
  }
  static std::string element_name(const Shape& s, const Workspace&, std::size_t i) {
    return fmt::format("y[{},{}]", std::int64_t(i) / s.dim, std::int64_t(i) % s.dim);
  }
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::size_t i = 0; i < std::size_t(s.rows * s.dim); ++i)
      if (const Tolerance t = tolerance(s, ws, r, i); !t.accepts(ws.y[i]))
        return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g}, pos {})",
                                       element_name(s, ws, i), ws.y[i], t.expected, t.bound, s.pos));
    return Check::pass();
  }
  // Per pair: four products and two sums. The angles (a function of the shape alone) are not
  // counted, nor is a table of them: compulsory traffic is x read and y written.
  static Work model(const Shape& s) {
    const double n = double(s.rows) * s.dim;
    return {3.0 * n, 8.0 * n, 12.0 * n};
  }
};

static_assert(Kernel<RopeKernel>);

}  // namespace cromwell
