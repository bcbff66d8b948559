// rope.naive — the plain loop: for every row and pair, the angle in float
// (pos · powf(10000, −2i/dim)), cosf and sinf, then the rotation. Angles are recomputed for every
// row of every call. Rows are split among threads.
#include <cmath>
#include <cstdint>

#include "harness/core/registry.hpp"
#include "kernels/rope.hpp"

namespace cromwell {
namespace {

void rope_rows(const RopeShape& s, const float* x, float* y, std::int64_t r0, std::int64_t r1) {
  const std::int64_t half = s.dim / 2;
  const float base = float(RopeKernel::kBase), pos = float(s.pos);
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* xr = x + r * s.dim;
    float* yr = y + r * s.dim;
    for (std::int64_t i = 0; i < half; ++i) {
      const float theta = pos * std::pow(base, -2.0f * float(i) / float(s.dim));
      const float c = std::cos(theta), sn = std::sin(theta);
      yr[i] = xr[i] * c - xr[i + half] * sn;
      yr[i + half] = xr[i] * sn + xr[i + half] * c;
    }
  }
}

const bool registered = register_variant<RopeKernel>({
    .name = "naive",
    .summary = "scalar, float angles recomputed per row",
    .space = {},
    .prepare = [](const RopeShape& s, const ParamValues&, Pool& pool) -> Runnable<RopeKernel> {
      return [s, &pool](RopeKernel::Workspace& ws) {
        pool.parallel_for(s.rows, 1,
                          [&](std::int64_t b, std::int64_t e) { rope_rows(s, ws.x.data(), ws.y.data(), b, e); });
      };
    },
});

}  // namespace
}  // namespace cromwell
