#pragma once
// What the BLIS-style GEMMs (blis_avx2.hpp, blis_avx512.hpp) share besides their five loops
// (blis_loops.hpp): the block sizes, the split of C among the pool's threads with one pair of
// packing buffers per thread, and the constraints on the block sizes that do not depend on the
// micro-kernel.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/core/param.hpp"
#include "harness/core/space.hpp"
#include "kernels/gemm.hpp"

namespace cromwell::blis {

struct Blocking {
  std::int64_t mc, kc, nc;
};

inline Blocking blocking_of(const ParamValues& p) { return {p.integer("mc"), p.integer("kc"), p.integer("nc")}; }

inline std::int64_t round_up(std::int64_t x, std::int64_t to) { return (x + to - 1) / to * to; }

// C is split by columns in NR multiples when n is wide enough, else by rows in MR multiples; the
// block sizes are clamped to one thread's share; each thread packs into its own 64-byte-aligned
// buffers, allocated here (outside the timed region).
class Plan {
 public:
  Plan(const GemmShape& s, const Blocking& requested, int threads, std::int64_t mr, std::int64_t nr)
      : s_(s), by_n_(s.n >= 4 * nr * threads || s.m < mr * threads) {
    n_share_ = by_n_ ? round_up((s.n + threads - 1) / threads, nr) : s.n;
    m_share_ = by_n_ ? s.m : round_up((s.m + threads - 1) / threads, mr);
    bl = {std::min(requested.mc, round_up(m_share_, mr)), std::min(requested.kc, s.k),
          std::min(requested.nc, round_up(n_share_, nr))};
    const auto abytes = static_cast<std::size_t>(round_up(round_up(bl.mc, mr) * bl.kc * 4, 64));
    const auto bbytes = static_cast<std::size_t>(round_up(round_up(bl.nc, nr) * bl.kc * 4, 64));
    for (int t = 0; t < threads; ++t) {
      buffers_->a.emplace_back(static_cast<float*>(std::aligned_alloc(64, abytes)));
      buffers_->b.emplace_back(static_cast<float*>(std::aligned_alloc(64, bbytes)));
      if (!buffers_->a.back() || !buffers_->b.back()) throw std::bad_alloc();
    }
  }

  Blocking bl;

  // Calls f(m0, m1, n0, n1, packed_a, packed_b) with thread t's share of C, if it has one.
  template <class F>
  void share(int t, F&& f) const {
    const std::int64_t n0 = by_n_ ? std::min(s_.n, t * n_share_) : 0;
    const std::int64_t n1 = by_n_ ? std::min(s_.n, n0 + n_share_) : s_.n;
    const std::int64_t m0 = by_n_ ? 0 : std::min(s_.m, t * m_share_);
    const std::int64_t m1 = by_n_ ? s_.m : std::min(s_.m, m0 + m_share_);
    if (n0 < n1 && m0 < m1) f(m0, m1, n0, n1, buffers_->a[t].get(), buffers_->b[t].get());
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  struct Buffers {
    std::vector<std::unique_ptr<float[], Free>> a, b;
  };
  GemmShape s_;
  bool by_n_;
  std::int64_t n_share_ = 0, m_share_ = 0;
  std::shared_ptr<Buffers> buffers_ = std::make_shared<Buffers>();
};

// mc and nc multiples of the micro-tile (validity); the packed A block within half of L2 and the
// packed B panel within half of L3 (heuristics). Each micro-kernel adds its own L1 rule.
inline std::vector<Constraint> blocking_constraints(std::int64_t mr, std::int64_t nr) {
  using K = Constraint::Kind;
  return {
      {"mc-multiple-of-MR", K::validity,
       [mr](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
         const auto mc = p.integer("mc");
         return mc % mr ? fmt::format("mc={} must be a multiple of MR={}", mc, mr) : "";
       }},
      {"nc-multiple-of-NR", K::validity,
       [nr](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
         const auto nc = p.integer("nc");
         return nc % nr ? fmt::format("nc={} must be a multiple of NR={}", nc, nr) : "";
       }},
      {"A-block-fits-half-L2", K::heuristic,
       [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
         const auto bytes = p.integer("mc") * p.integer("kc") * 4;
         return bytes > c.l2 / 2 ? fmt::format("packed A block (mc·kc·4 = {} KiB) exceeds half of L2 ({} KiB)",
                                               bytes >> 10, c.l2 >> 10)
                                 : "";
       }},
      {"B-panel-fits-half-L3", K::heuristic,
       [](const ParamValues& p, const Dims&, const CacheSizes& c) -> std::string {
         const auto bytes = p.integer("kc") * p.integer("nc") * 4;
         return bytes > c.l3 / 2 ? fmt::format("packed B panel (kc·nc·4 = {} KiB) exceeds half of L3 ({} KiB)",
                                               bytes >> 10, c.l3 >> 10)
                                 : "";
       }},
  };
}

}  // namespace cromwell::blis
