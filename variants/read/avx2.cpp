// read.avx2 — read.naive with AVX2: each thread's share is cut into `streams` equal parts that
// are read side by side, with at least four 8-wide accumulators in all, so the loop is bound by
// memory, not by the adder.
//   streams  1 | 2 | 4 | 8: sequential streams per thread. One stream is the plain sequential
//            read; the hardware prefetchers of current cores fetch more with a few streams in
//            flight (≈ 1.17× here with 4), which is what kernels reading several rows at once
//            (gemv.avx2) get.
#include <immintrin.h>

#include <vector>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "kernels/read.hpp"
#include "variants/vecmath_avx2.hpp"

namespace cromwell {
namespace {

// The sum of x[b, e) read as S side-by-side streams of q floats, then the rest. V accumulators
// per stream, at least four in all, hide the add latency.
template <int S>
[[gnu::target(CROMWELL_AVX2)]] float sum_avx2(const float* x, std::int64_t b, std::int64_t e) {
  constexpr int V = S >= 4 ? 1 : 4 / S;
  const std::int64_t q = (e - b) / S / (8 * V) * (8 * V);
  __m256 a[S][V];
  for (auto& row : a)
    for (auto& v : row) v = _mm256_setzero_ps();
  for (std::int64_t i = 0; i < q; i += 8 * V)
    for (int j = 0; j < S; ++j)
      for (int v = 0; v < V; ++v) a[j][v] = _mm256_add_ps(a[j][v], _mm256_loadu_ps(x + b + j * q + i + 8 * v));
  __m256 t = _mm256_setzero_ps();
  for (auto& row : a)
    for (auto& v : row) t = _mm256_add_ps(t, v);
  float s = vecmath::hsum(t);
  for (std::int64_t i = b + S * q; i < e; ++i) s += x[i];
  return s;
}

using Sum = float (*)(const float*, std::int64_t, std::int64_t);

Sum sum_for(std::int64_t streams) {
  switch (streams) {
    case 1:
      return &sum_avx2<1>;
    case 2:
      return &sum_avx2<2>;
    case 4:
      return &sum_avx2<4>;
    default:
      return &sum_avx2<8>;
  }
}

const bool registered = register_variant<ReadKernel>({
    .name = "avx2",
    .summary = "AVX2, 1 to 8 sequential streams per thread",
    .isa = CROMWELL_AVX2,
    .space = {.params = {Param::integer("streams", 1, 8, {1, 4}, 1, "", "sequential streams per thread")},
              .constraints = {{"streams-power-of-two", Constraint::Kind::validity,
                               [](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
                                 const std::int64_t n = p.integer("streams");
                                 if (n == 1 || n == 2 || n == 4 || n == 8) return "";
                                 return fmt::format("streams={} must be 1, 2, 4 or 8", n);
                               }}}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<ReadKernel> {
      auto partial = std::make_shared<std::vector<float>>(pool.size());
      const Sum sum = sum_for(p.integer("streams"));
      return [s, sum, partial, &pool](ReadKernel::Workspace& ws) {
        pool.run([&](int t) {
          const auto [b, e] = pool.share(s.n, 16, t);
          (*partial)[t] = sum(ws.x.data(), b, e);
        });
        float total = 0.0f;
        for (float p : *partial) total += p;
        ws.sum = total;
      };
    },
});

}  // namespace
}  // namespace cromwell
