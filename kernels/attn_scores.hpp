#pragma once
// attn_scores: S = Q·Kᵀ / √dim in fp32 — the attention scores of seq query tokens against
// cache_len cached keys, with `heads` query heads sharing `kv_heads` key heads (MQA: kv_heads 1,
// GQA: 1 < kv_heads < heads, MHA: kv_heads = heads). Query head h reads key head
// g(h) = h / (heads / kv_heads).
//
//   S(s, h, t) = Σ_d Q(s, h, d)·K(t, g(h), d) / √dim
//
// Layouts (the variant parameter `layout`; the workspace is built in the layout of the config):
//   shd  Q[seq][heads][dim]    K[cache_len][kv_heads][dim]    S[seq][heads][cache_len]
//   hds  Q[seq][dim][heads]    K[cache_len][dim][kv_heads]    S[seq][cache_len][heads]
// hds is head-interleaved (dim-major, heads innermost): with MQA, each K(t, d) is one scalar that
// multiplies the vector Q(s, d, 0..heads) — every head at once, no horizontal sums.
// In both layouts one key's K(t, ·, ·) is kv_heads·dim contiguous floats.
//
// Shapes: every dimension ≥ 1, heads a multiple of kv_heads; any alignment. S is overwritten
// and never read. Engine shapes (32 query heads of dim 64, one KV head): decode seq 1 against
// 512, 2048 and 4096 cached keys; prefill of 128 tokens (cache_len 128, no causal mask here).
//
// Data are generated per logical element — Q(s, h, d), K(t, g, d) get the same value whatever
// the layout — so the reference, computed in double in logical order, is the same for both
// layouts: the harness's reference cache, keyed by (kernel, shape, seed) without the layout,
// stays correct. check() reads S through the workspace's layout.
//
// Tolerance: each score is a dot product of length dim (any order, with or without FMA; masked
// lanes add exact zeros) times a scale ĉ that a variant computes in at most two correctly
// rounded operations (1/√dim: a square root and a division, or a division by √dim), then one
// rounding of the product (or of each q·ĉ when Q is scaled first). The standard bound for a dot
// product, |e| ≤ γ_dim·Σ|q·k|, with γ_n = n·u/(1 − n·u), u = 2⁻²⁴, and the three further
// roundings give |ŝ − s| ≤ γ_{dim+3}·Σ_d |Q(s,h,d)·K(t,g,d)| / √dim, computed in double —
// rigorous (the inputs are multiples of 2⁻²³ in [-1, 1): no overflow, no underflow).
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"
#include "harness/core/param.hpp"

namespace cromwell {

struct AttnScoresShape {
  std::int64_t seq = 1, cache_len = 1, heads = 1, kv_heads = 1, dim = 1;
};

enum class AttnLayout { shd, hds };

struct AttnScoresKernel {
  using Shape = AttnScoresShape;
  struct Workspace {
    AttnLayout layout = AttnLayout::shd;
    Buffer<float> q, k, s;
  };
  struct Reference {
    std::vector<double> s, bound;  // logical order [seq][heads][cache_len]
  };

  static constexpr std::string_view name = "attn_scores";
  static constexpr std::string_view summary =
      "S = Q·Kᵀ/√dim, fp32, heads sharing kv_heads (MQA/GQA); layout shd or head-interleaved hds";
  static constexpr std::array dims{Dim<Shape>{"seq", &Shape::seq, 1}, Dim<Shape>{"cache_len", &Shape::cache_len, 4096},
                                   Dim<Shape>{"heads", &Shape::heads, 32}, Dim<Shape>{"kv_heads", &Shape::kv_heads, 1},
                                   Dim<Shape>{"dim", &Shape::dim, 64}};
  // The rule across dims; shape_from_dims refuses a shape with this reason (harness/core/kernel.hpp).
  static std::string validate(const Shape& s) {
    if (s.heads % s.kv_heads != 0)
      return fmt::format("heads {} is not a multiple of kv_heads {} (each key head serves heads/kv_heads query heads)",
                         s.heads, s.kv_heads);
    return "";
  }
  static std::vector<Shape> default_shapes() { return {{1, 4096, 32, 1, 64}, {128, 128, 32, 1, 64}}; }
  // Decode against 512, 2048 and 4096 cached keys; prefill of 128 tokens.
  static std::vector<Shape> llm_shapes() {
    return {{1, 512, 32, 1, 64}, {1, 2048, 32, 1, 64}, {1, 4096, 32, 1, 64}, {128, 128, 32, 1, 64}};
  }
  // Odd head counts (3/1, 6/3 GQA, 5/5 MHA, 12/4, 20/1, 40/1), GQA and MHA over 8 and 16 key
  // heads (32/8, 16/8, 16/16), seq 1 and cache_len 1, primes,
  // dim not a multiple of 8, heads not a multiple of 8, and the model's own dims with a prime
  // cache_len.
  static std::vector<Shape> check_shapes() {
    return {{1, 1, 1, 1, 1},   {1, 1, 3, 1, 7},    {1, 37, 3, 1, 13},  {2, 29, 6, 3, 7},   {3, 19, 5, 5, 16},
            {5, 67, 12, 4, 9}, {1, 41, 20, 1, 5},  {2, 53, 40, 1, 11}, {2, 45, 32, 2, 64}, {1, 131, 32, 1, 64},
            {3, 13, 24, 1, 8}, {2, 37, 32, 8, 13}, {1, 29, 16, 8, 9},  {1, 23, 16, 16, 5}};
  }

  static AttnLayout layout_of(const ParamValues& p) {
    const std::string* l = p.find("layout");
    return (l != nullptr && *l == "hds") ? AttnLayout::hds : AttnLayout::shd;
  }
  // The `layout` parameter every variant declares (first, so keys read layout:shd,...).
  static Param layout_param() {
    return Param::choice(
        "layout", {"shd", "hds"}, {"shd", "hds"}, "shd",
        "shd: Q[s][h][d] K[t][g][d] S[s][h][t]; hds (head-interleaved): Q[s][d][h] K[t][d][g] S[s][t][h]");
  }

  // Offsets of logical elements in a layout.
  static std::int64_t q_at(const Shape& s, AttnLayout l, std::int64_t i, std::int64_t h, std::int64_t d) {
    return l == AttnLayout::shd ? (i * s.heads + h) * s.dim + d : (i * s.dim + d) * s.heads + h;
  }
  static std::int64_t k_at(const Shape& s, AttnLayout l, std::int64_t t, std::int64_t g, std::int64_t d) {
    return l == AttnLayout::shd ? (t * s.kv_heads + g) * s.dim + d : (t * s.dim + d) * s.kv_heads + g;
  }
  static std::int64_t s_at(const Shape& s, AttnLayout l, std::int64_t i, std::int64_t h, std::int64_t t) {
    return l == AttnLayout::shd ? (i * s.heads + h) * s.cache_len + t : (i * s.cache_len + t) * s.heads + h;
  }

  // Q(s, h, d) = uniform(seed, 1, its shd offset), K(t, g, d) = uniform(seed, 2, its shd offset),
  // stored at their offsets in `layout`.
  static Workspace workspace_in(AttnLayout layout, const Shape& s, std::uint64_t seed, const Alloc& alloc) {
    Workspace ws{layout, Buffer<float>(alloc, s.seq * s.heads * s.dim),
                 Buffer<float>(alloc, s.cache_len * s.kv_heads * s.dim),
                 Buffer<float>(alloc, s.seq * s.heads * s.cache_len)};
    if (layout == AttnLayout::shd) {
      fill_uniform(ws.q.view, seed, 1, alloc.pool);
      fill_uniform(ws.k.view, seed, 2, alloc.pool);
    } else {
      for (std::int64_t i = 0; i < s.seq; ++i)
        for (std::int64_t h = 0; h < s.heads; ++h)
          for (std::int64_t d = 0; d < s.dim; ++d)
            ws.q[q_at(s, layout, i, h, d)] = uniform(seed, 1, q_at(s, AttnLayout::shd, i, h, d));
      for (std::int64_t t = 0; t < s.cache_len; ++t)
        for (std::int64_t g = 0; g < s.kv_heads; ++g)
          for (std::int64_t d = 0; d < s.dim; ++d)
            ws.k[k_at(s, layout, t, g, d)] = uniform(seed, 2, k_at(s, AttnLayout::shd, t, g, d));
    }
    fill_nan(ws.s.view, alloc.pool);
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
  static std::size_t bytes(const Workspace& ws) { return (ws.q.size() + ws.k.size() + ws.s.size()) * sizeof(float); }

  static Reference reference(const Shape& s, const Workspace& ws) {
    const std::size_t n = std::size_t(s.seq * s.heads * s.cache_len);
    Reference r{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
    const double scale = 1.0 / std::sqrt(double(s.dim));
    const std::int64_t per_group = s.heads / s.kv_heads;
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t h = 0; h < s.heads; ++h)
        for (std::int64_t t = 0; t < s.cache_len; ++t) {
          double sum = 0, abs = 0;
          for (std::int64_t d = 0; d < s.dim; ++d) {
            const double p = double(ws.q[q_at(s, ws.layout, i, h, d)]) * ws.k[k_at(s, ws.layout, t, h / per_group, d)];
            sum += p;
            abs += std::abs(p);
          }
          const std::size_t at = std::size_t((i * s.heads + h) * s.cache_len + t);
          r.s[at] = sum * scale;
          r.bound[at] = abs * scale;
        }
    return r;
  }
  // The output the check compares: S, in the workspace's layout (shd or hds).
  static std::span<float> output(Workspace& ws) { return ws.s.view; }
  // The logical position (s, h, t) of S's element at offset `at` in layout `l` (s_at's inverse).
  struct Position {
    std::int64_t i, h, t;
  };
  static Position position(const Shape& s, AttnLayout l, std::int64_t at) {
    if (l == AttnLayout::shd) return {at / (s.heads * s.cache_len), at / s.cache_len % s.heads, at % s.cache_len};
    return {at / (s.cache_len * s.heads), at % s.heads, at / s.heads % s.cache_len};
  }
  // The header's bound γ_{dim+3}·Σ_d |Q·K| / √dim for output element i, an offset in the
  // workspace's layout (so it needs the workspace: the element order depends on `layout`).
  static Tolerance tolerance(const Shape& s, const Workspace& ws, const Reference& r, std::size_t i) {
    const double nu = double(s.dim + 3) * 0x1p-24, gamma = nu / (1.0 - nu);
    const Position p = position(s, ws.layout, std::int64_t(i));
    const std::size_t at = std::size_t(s_at(s, AttnLayout::shd, p.i, p.h, p.t));  // the reference's order
    return {r.s[at], gamma * r.bound[at]};
  }
  static std::string element_name(const Shape& s, const Workspace& ws, std::size_t i) {
    const Position p = position(s, ws.layout, std::int64_t(i));
    return fmt::format("S[s={},h={},t={}]", p.i, p.h, p.t);
  }
  // In logical order whatever the layout, so both layouts report the same first bad element.
  static Check check(const Shape& s, const Workspace& ws, const Reference& r) {
    for (std::int64_t i = 0; i < s.seq; ++i)
      for (std::int64_t h = 0; h < s.heads; ++h)
        for (std::int64_t t = 0; t < s.cache_len; ++t) {
          const std::size_t at = std::size_t(s_at(s, ws.layout, i, h, t));
          const float got = ws.s[at];
          if (const Tolerance tol = tolerance(s, ws, r, at); !tol.accepts(got))
            return Check::fail(fmt::format("{} = {:.9g}, expected {:.9g} (tolerance {:.3g})", element_name(s, ws, at),
                                           got, tol.expected, tol.bound));
        }
    return Check::pass();
  }
  static Work model(const Shape& s) {
    const double q = double(s.seq) * s.heads * s.dim, k = double(s.cache_len) * s.kv_heads * s.dim,
                 out = double(s.seq) * s.heads * s.cache_len;
    return {2.0 * out * s.dim, 4.0 * (q + k + out), 4.0 * (q + k + 2.0 * out)};
  }
};

static_assert(Kernel<AttnScoresKernel>);

}  // namespace cromwell
