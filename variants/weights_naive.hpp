#pragma once
// The naive variant of gemv_bf16, gemv_q8_0 and gemv_q4_0: dequantise 32 weights of a row at a
// time into fp32 (kernels/weights.hpp), multiply by x and add, scalar, one row after another.
// Rows are split among threads.
#include <algorithm>
#include <cstdint>

#include "harness/core/registry.hpp"
#include "kernels/gemv_weights.hpp"

namespace cromwell::weights_naive {

template <class K>
Runnable<K> prepare(const GemvShape& s, const ParamValues&, Pool& pool) {
  return [s, &pool](typename K::Workspace& ws) {
    pool.parallel_for(s.n, 1, [&](std::int64_t r0, std::int64_t r1) {
      for (std::int64_t i = r0; i < r1; ++i) {
        const std::byte* row = K::row(ws, s, i);
        float sum = 0.0f;
        for (std::int64_t p = 0; p < s.k; p += weights::kBlock) {
          const std::int64_t n = std::min<std::int64_t>(weights::kBlock, s.k - p);
          float w[weights::kBlock];
          K::Format::decode(row + p / K::Format::block * K::Format::block_bytes, w, n);
          for (std::int64_t j = 0; j < n; ++j) sum += w[j] * ws.x[p + j];
        }
        ws.y[i] = sum;
      }
    });
  };
}

}  // namespace cromwell::weights_naive
