#pragma once
// attn_values: O = P·V in fp32 — the attention output of seq query tokens: each query head's
// softmax weights over cache_len cached positions times the V cache, with `heads` query heads
// sharing `kv_heads` value heads exactly as attn_scores shares key heads (MQA: kv_heads 1, GQA:
// 1 < kv_heads < heads, MHA: kv_heads = heads). Query head h reads value head
// g(h) = h / (heads / kv_heads).
//
//   O(s, h, d) = Σ_t P(s, h, t)·V(t, g(h), d)
//
// Layouts (the variant parameter `layout`, the same as attn_scores's; the workspace is built in
// the layout of the config):
//   shd  P[seq][heads][cache_len]   V[cache_len][kv_heads][dim]   O[seq][heads][dim]
//   hds  P[seq][cache_len][heads]   V[cache_len][dim][kv_heads]   O[seq][dim][heads]
// P in each layout is attn_scores's S in that layout (softmax keeps the layout), and O is Q's
// layout, so the next layer reads it as attn_scores reads Q. With MQA in shd all heads read the
// same V row: a variant that takes several heads per pass over V reads V once. In hds each
// V(t, d, g) is one scalar that multiplies the vector P(s, t, 0..heads).
// In both layouts one position's V(t, ·, ·) is kv_heads·dim contiguous floats.
//
// Shapes: AttnScoresShape with attn_scores's rule (every dimension ≥ 1, heads a multiple of
// kv_heads); any alignment. O is overwritten and never read. Engine shapes (32 query heads of dim
// 64, one KV head): decode seq 1 against 512, 2048 and 4096 cached positions; prefill of 128
// tokens (cache_len 128, no causal mask here).
//
// Data are generated per logical element, so the reference (in double, in logical order) is the
// same for both layouts and the harness's reference cache, keyed without the layout, stays
// correct. P looks like softmax output: w(s, h, t) = (1 − uniform(seed, 1, shd offset))/2, in
// (0, 1], normalised per row in double, P = float(w / Σ_t w) — positive, each row summing to 1
// within cache_len·2⁻²⁴. V(t, g, d) = uniform(seed, 2, its shd offset) in [-1, 1).
//
// Tolerance: each output is a dot product of length cache_len (any order and split — a sum of
// partial sums is still a sum of the same cache_len products —, with or without FMA; masked
// lanes add exact zeros). The standard bound |ô − o| ≤ γ_cache_len·Σ_t |P·V|, with
// γ_n = n·u/(1 − n·u) and u = 2⁻²⁴, is rigorous here: the inputs are the floats in the
// workspace, and every nonzero product is at least 2⁻²⁴/cache_len · 2⁻²³ in magnitude, far from
// underflow (a subnormal sum is exact). Σ|P·V| is computed in double with the reference.
#include <array>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"
#include "harness/core/param.hpp"
#include "kernels/attn_scores.hpp"

namespace cromwell {

struct AttnValuesKernel {
  using Shape = AttnScoresShape;
  struct Workspace {
    AttnLayout layout = AttnLayout::shd;
    Buffer<float> p, v, o;
  };
  struct Reference {
    std::vector<double> o, bound;  // logical order [seq][heads][dim]
  };

  static constexpr std::string_view name = "attn_values";
  static constexpr std::string_view summary =
      "O = P·V, fp32, heads sharing kv_heads (MQA/GQA); layout shd or head-interleaved hds";
  static constexpr std::array dims{Dim<Shape>{"seq", &Shape::seq, 1}, Dim<Shape>{"cache_len", &Shape::cache_len, 4096},
                                   Dim<Shape>{"heads", &Shape::heads, 32}, Dim<Shape>{"kv_heads", &Shape::kv_heads, 1},
                                   Dim<Shape>{"dim", &Shape::dim, 64}};
  static std::string validate(const Shape& s) { return AttnScoresKernel::validate(s); }
  static std::vector<Shape> default_shapes() { return {{1, 4096, 32, 1, 64}, {128, 128, 32, 1, 64}}; }
  // Decode against 512, 2048 and 4096 cached positions; prefill of 128 tokens.
  static std::vector<Shape> llm_shapes() {
    return {{1, 512, 32, 1, 64}, {1, 2048, 32, 1, 64}, {1, 4096, 32, 1, 64}, {128, 128, 32, 1, 64}};
  }
  // attn_scores's awkward shapes (odd and prime head counts, GQA and MHA, seq 1 and cache_len 1,
  // dim not a multiple of 8) plus dims that leave every vector tail (dim 17, 23, 130) and cache
  // lengths beyond one tile of positions (131, 200).
  static std::vector<Shape> check_shapes() {
    std::vector<Shape> out = AttnScoresKernel::check_shapes();
    out.insert(out.end(), {{1, 200, 32, 1, 17}, {2, 131, 12, 3, 23}, {1, 67, 7, 1, 130}, {1, 97, 32, 1, 64}});
    return out;
  }

  static AttnLayout layout_of(const ParamValues& p) { return AttnScoresKernel::layout_of(p); }

  // Offsets of logical elements in a layout.
  static std::int64_t p_at(const Shape& s, AttnLayout l, std::int64_t i, std::int64_t h, std::int64_t t) {
    return l == AttnLayout::shd ? (i * s.heads + h) * s.cache_len + t : (i * s.cache_len + t) * s.heads + h;
  }
  static std::int64_t v_at(const Shape& s, AttnLayout l, std::int64_t t, std::int64_t g, std::int64_t d) {
    return l == AttnLayout::shd ? (t * s.kv_heads + g) * s.dim + d : (t * s.dim + d) * s.kv_heads + g;
  }
  static std::int64_t o_at(const Shape& s, AttnLayout l, std::int64_t i, std::int64_t h, std::int64_t d) {
    return l == AttnLayout::shd ? (i * s.heads + h) * s.dim + d : (i * s.dim + d) * s.heads + h;
  }

  // The header's data, stored at their offsets in `layout`.
  static Workspace workspace_in(AttnLayout layout, const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{layout, Buffer<float>(alloc, s.seq * s.heads * s.cache_len),
                 Buffer<float>(alloc, s.cache_len * s.kv_heads * s.dim), Buffer<float>(alloc, s.seq * s.heads * s.dim)};
    std::vector<double> w(std::size_t(s.cache_len));
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t h = 0; h < s.heads; ++h) {
        double sum = 0;
        for (std::int64_t t = 0; t < s.cache_len; ++t) {
          w[t] = (1.0 - double(uniform(seed, 1, p_at(s, AttnLayout::shd, i, h, t)))) / 2;
          sum += w[t];
        }
        for (std::int64_t t = 0; t < s.cache_len; ++t) ws.p[p_at(s, layout, i, h, t)] = float(w[t] / sum);
      }
    if (layout == AttnLayout::shd) {
      fill_uniform(ws.v.view, seed, 2, alloc.pool);
    } else {
      for (std::int64_t t = 0; t < s.cache_len; ++t)
        for (std::int64_t g = 0; g < s.kv_heads; ++g)
          for (std::int64_t d = 0; d < s.dim; ++d)
            ws.v[v_at(s, layout, t, g, d)] = uniform(seed, 2, v_at(s, AttnLayout::shd, t, g, d));
    }
    fill_nan(ws.o.view, alloc.pool);
    return ws;
  }
  // The harness calls the overload with the config's params (harness/core/kernel.hpp); this one
  // builds the shd layout.
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    return workspace_in(AttnLayout::shd, s, seed, alloc);
  }
  static Workspace make_workspace(const Shape& s, std::uint64_t seed, const Alloc& alloc, const ParamValues& p) {
    return workspace_in(layout_of(p), s, seed, alloc);
  }
  static std::size_t bytes(const Workspace& ws) { return (ws.p.size() + ws.v.size() + ws.o.size()) * sizeof(float); }

  static Reference reference(const Shape& s, const Workspace& ws) {
    const std::size_t n = std::size_t(s.seq * s.heads * s.dim);
    Reference r{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    const std::int64_t per_group = s.heads / s.kv_heads;
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t h = 0; h < s.heads; ++h)
        for (std::int64_t t = 0; t < s.cache_len; ++t) {
          const double p = ws.p[p_at(s, ws.layout, i, h, t)];
          for (std::int64_t d = 0; d < s.dim; ++d) {
            const double pv = p * ws.v[v_at(s, ws.layout, t, h / per_group, d)];
            const std::size_t at = std::size_t(o_at(s, AttnLayout::shd, i, h, d));
            r.o[at] += pv;
            r.bound[at] += std::abs(pv);
          }
        }
    return r;
  }
  // The output the check compares: O, in the workspace's layout (shd or hds).
  static std::span<float> output(Workspace& ws) { return ws.o.view; }
  // The logical position (s, h, d) of O's element at offset `at` in layout `l` (o_at's inverse).
  struct Position {
    std::int64_t i, h, d;
  };
  static Position position(const Shape& s, AttnLayout l, std::int64_t at) {
    if (l == AttnLayout::shd) return {at / (s.heads * s.dim), at / s.dim % s.heads, at % s.dim};
    return {at / (s.dim * s.heads), at % s.heads, at / s.heads % s.dim};
  }
  // The header's bound γ_cache_len·Σ_t |P·V| for output element i, an offset in the workspace's
  // layout.
  static Tolerance tolerance(const Shape& s, const Workspace& ws, const Reference& r, std::size_t i) {
    const double nu = double(s.cache_len) * 0x1p-24, gamma = nu / (1.0 - nu);
    const Position p = position(s, ws.layout, std::int64_t(i));
    const std::size_t at = std::size_t(o_at(s, AttnLayout::shd, p.i, p.h, p.d));  // the reference's order
    return {r.o[at], gamma * r.bound[at]};
  }
  static std::string element_name(const Shape& s, const Workspace& ws, std::size_t i) {
    const Position p = position(s, ws.layout, std::int64_t(i));
    return fmt::format("O[s={},h={},d={}]", p.i, p.h, p.d);
  }
  // In logical order whatever the layout, so both layouts report the same first bad element.
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t h = 0; h < s.heads; ++h)
        for (std::int64_t d = 0; d < s.dim; ++d) {
          const std::size_t at = std::size_t(o_at(s, ws.layout, i, h, d));
          const float got = ws.o[at];
          if (const Tolerance tol = tolerance(s, ws, r, at); !tol.accepts(got))
            return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g})", element_name(s, ws, at),
                                           got, tol.expected, tol.bound));
        }
    return Check::pass();
  }
  static Work model(const Shape& s) {
    const double p = double(s.seq) * s.heads * s.cache_len, v = double(s.cache_len) * s.kv_heads * s.dim,
                 out = double(s.seq) * s.heads * s.dim;
    return {2.0 * p * s.dim, 4.0 * (p + v + out), 4.0 * (p + v + 2.0 * out)};
  }
};

static_assert(Kernel<AttnValuesKernel>);

}  // namespace cromwell
