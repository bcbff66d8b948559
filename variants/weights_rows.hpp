#pragma once
// What the vector variants of gemv_bf16, gemv_q8_0 and gemv_q4_0 share: their parameters, how a
// thread's rows are walked, and x's preparation once per call.
//
//   streams  rows walked side by side (1, 2, 4, 8): a thread's rows are cut into `streams` equal
//            parts and step i computes row i of each part, so each part is one sequential stream
//            of W (what hardware prefetchers follow) and each load of x — fp32, bf16 or 8-bit —
//            serves `streams` rows. More streams: fewer x loads per weight, more accumulators in
//            flight; too many: more concurrent streams than the prefetchers track.
//   pf_dist  software prefetch of each stream, in 64-byte lines ahead of its loads (0: none), every
//            line of a loop step (four blocks; bf16: 32 or 128 bytes);  pf_hint  its locality
//            (variants/prefetch.hpp).
// x is not blocked: quantized it is at most 5632 bytes + scales, fp32 22 KiB — it stays in L1
// while W streams through (the streams share its loads).
//
// An engine E (compiled for its ISA: variants/weights_fma.hpp, variants/weights_int8.hpp, or in a
// bf16 variant's file) provides
//   using X;  static X make_x(std::int64_t k);  static void fill_x(const float* x, std::int64_t k, X&);
//   template <int S, prefetch::Hint H>
//   static void dot(const std::byte* w, std::int64_t row_bytes, std::int64_t k, const X& x,
//                   float* y, std::int64_t r0, std::int64_t q, std::int64_t pf_bytes);
// where dot computes y[r0 + j·q] = W[r0 + j·q]·x for j < S (CROMWELL_BLOCK_DOT below writes it
// for the engines over blocks of 32).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "harness/core/registry.hpp"
#include "variants/prefetch.hpp"

namespace cromwell::weights_rows {

inline Space space() {
  return {.params = {Param::choice("streams", {"1", "2", "4", "8"}, {"1", "2", "4", "8"}, "4",
                                   "rows walked side by side, each a sequential stream of W sharing the loads of x"),
                     Param::integer("pf_dist", 0, 1024, {0, 8, 32}, 0, "cache lines",
                                    "software prefetch distance ahead in each stream of W (0: none)"),
                     prefetch::hint_param()},
          .constraints = {prefetch::hint_needs_distance()}};
}

// y[r0, r1) with S streams.
template <class E, int S, prefetch::Hint H>
void rows(const std::byte* w, std::int64_t row_bytes, std::int64_t k, const typename E::X& x, float* y, std::int64_t r0,
          std::int64_t r1, std::int64_t pf_bytes) {
  const std::int64_t q = (r1 - r0) / S;
  for (std::int64_t i = 0; i < q; ++i) E::template dot<S, H>(w, row_bytes, k, x, y, r0 + i, q, pf_bytes);
  for (std::int64_t i = r0 + S * q; i < r1; ++i) E::template dot<1, H>(w, row_bytes, k, x, y, i, 0, pf_bytes);
}

// The dot() of an engine over blocks of 32 weights (q8_0, q4_0), which declares
//   Acc (its accumulator: a vector of fp32), kStep (blocks per step: 1 or 2),
//   step<S>(row, b, x, acc)  blocks b .. b + kStep − 1 of the S rows added into acc[0, S),
//   tail<S>(row, b, x, acc)  block b alone (only if kStep is 2),
//   sum(a, c)  a row's result from its two accumulators,
// and F (the format). Blocks go alternately into two accumulators per row (a, c), four blocks per
// iteration, so a row is not one chain of dependent adds. A macro, because dot() must carry the
// engine's target attribute, which takes a string literal only.
#define CROMWELL_BLOCK_DOT(TARGET)                                                                                   \
  template <int S, prefetch::Hint H>                                                                                 \
  [[gnu::target(TARGET)]] static void dot(const std::byte* w, std::int64_t rb, std::int64_t k, const X& x, float* y, \
                                          std::int64_t r0, std::int64_t q, std::int64_t pf_bytes) {                  \
    const std::byte* row[S];                                                                                         \
    Acc a[S], c[S];                                                                                                  \
    for (int j = 0; j < S; ++j) {                                                                                    \
      row[j] = w + (r0 + j * q) * rb;                                                                                \
      a[j] = c[j] = Acc{};                                                                                           \
    }                                                                                                                \
    const std::int64_t nb = k / 32;                                                                                  \
    std::int64_t b = 0;                                                                                              \
    for (; b + 4 <= nb; b += 4) {                                                                                    \
      if constexpr (H != prefetch::Hint::none)                                                                       \
        for (int j = 0; j < S; ++j)                                                                                  \
          for (std::int64_t o = 0; o < 4 * F::block_bytes; o += 64)                                                  \
            prefetch::line<H>(row[j] + b * F::block_bytes + pf_bytes + o);                                           \
      step<S>(row, b, x, a);                                                                                         \
      step<S>(row, b + kStep, x, c);                                                                                 \
      if constexpr (kStep == 1) {                                                                                    \
        step<S>(row, b + 2, x, a);                                                                                   \
        step<S>(row, b + 3, x, c);                                                                                   \
      }                                                                                                              \
    }                                                                                                                \
    for (; b < nb; ++b) {                                                                                            \
      if constexpr (kStep == 1)                                                                                      \
        step<S>(row, b, x, a);                                                                                       \
      else                                                                                                           \
        tail<S>(row, b, x, a);                                                                                       \
    }                                                                                                                \
    for (int j = 0; j < S; ++j) y[r0 + j * q] = sum(a[j], c[j]);                                                     \
  }

template <class E, prefetch::Hint H>
auto rows_for(std::int64_t streams) {
  switch (streams) {
    case 1:
      return &rows<E, 1, H>;
    case 2:
      return &rows<E, 2, H>;
    case 8:
      return &rows<E, 8, H>;
    default:
      return &rows<E, 4, H>;
  }
}

// The runnable of a variant whose engine is E: x prepared by the calling thread, then the rows
// split among the pool's threads in contiguous shares.
template <class K, class E>
Runnable<K> prepare(const typename K::Shape& s, const ParamValues& p, Pool& pool) {
  const std::int64_t dist = p.integer("pf_dist"), streams = p.integer("streams");
  const auto run =
      prefetch::dispatch(prefetch::hint_of(p, dist), [streams]<prefetch::Hint H>() { return rows_for<E, H>(streams); });
  auto x = std::make_shared<typename E::X>(E::make_x(s.k));
  return [s, run, x, pf_bytes = 64 * dist, &pool](typename K::Workspace& ws) {
    E::fill_x(ws.x.data(), s.k, *x);
    const std::int64_t rb = K::row_bytes(s.k);
    pool.parallel_for(
        s.n, 4, [&](std::int64_t b, std::int64_t e) { run(ws.w.data(), rb, s.k, *x, ws.y.data(), b, e, pf_bytes); });
  };
}

}  // namespace cromwell::weights_rows
