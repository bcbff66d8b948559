// gemm.blocked — gemm.naive with cache blocking: C is computed tile×tile block by block, looping
// over tile×tile blocks of A and B so that the blocks in use stay in cache (the original design
// used 512×512 tiles to stay in L3). Inside a block the loop order is i, p, j: a scalar loop over a
// row of the B block, which the compiler may vectorize with the baseline ISA only.
//   tile  edge of the square blocks, in elements (valid 8..4096).
// With threads > 1, block rows of C are split among the pool's threads.
#include <algorithm>

#include <fmt/format.h>

#include "harness/core/registry.hpp"
#include "kernels/gemm.hpp"

namespace cromwell {
namespace {

void gemm_blocked_rows(const GemmShape& s, std::int64_t tile, const float* a, const float* b, float* c, std::int64_t i0,
                       std::int64_t i1) {
  for (std::int64_t i = i0; i < i1; ++i)
    for (std::int64_t j = 0; j < s.n; ++j) c[i * s.n + j] = 0.0f;
  for (std::int64_t jj = 0; jj < s.n; jj += tile) {
    const std::int64_t j1 = std::min(jj + tile, s.n);
    for (std::int64_t pp = 0; pp < s.k; pp += tile) {
      const std::int64_t p1 = std::min(pp + tile, s.k);
      for (std::int64_t ii = i0; ii < i1; ii += tile) {
        const std::int64_t iend = std::min(ii + tile, i1);
        for (std::int64_t i = ii; i < iend; ++i)
          for (std::int64_t p = pp; p < p1; ++p) {
            const float aip = a[i * s.k + p];
            const float* brow = b + p * s.n;
            float* crow = c + i * s.n;
            for (std::int64_t j = jj; j < j1; ++j) crow[j] += aip * brow[j];
          }
      }
    }
  }
}

const bool registered = register_variant<GemmKernel>({
    .name = "blocked",
    .summary = "cache-blocked (tile×tile blocks), scalar i-p-j inner loop",
    .space = {.params = {Param::integer("tile", 8, 4096, {32, 64, 128, 256, 512, 1024}, 512, "elements",
                                        "edge of the square blocks of A, B and C")},
              .constraints = {{"tile-fits-shape", Constraint::Kind::heuristic,
                               [](const ParamValues& p, const Dims& d, const CacheSizes&) -> std::string {
                                 const auto tile = p.integer("tile");
                                 const auto big = std::max({d.at("m"), d.at("n"), d.at("k")});
                                 if (tile > big)
                                   return fmt::format(
                                       "tile={} exceeds every dimension (largest {}): "
                                       "same schedule as a smaller tile",
                                       tile, big);
                                 return "";
                               }}}},
    .prepare = [](const GemmShape& s, const ParamValues& p, Pool& pool) -> Runnable<GemmKernel> {
      const std::int64_t tile = p.integer("tile");
      return [s, tile, &pool](GemmWorkspace& ws) {
        // Whole block rows per thread, so no two threads write one tile.
        const std::int64_t blocks = (s.m + tile - 1) / tile;
        pool.parallel_for(blocks, 1, [&](std::int64_t b0, std::int64_t b1) {
          gemm_blocked_rows(s, tile, ws.a.data(), ws.b.data(), ws.c.data(), b0 * tile, std::min(b1 * tile, s.m));
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
