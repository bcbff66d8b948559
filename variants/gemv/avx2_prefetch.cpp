// gemv.avx2_prefetch — gemv.avx2 plus software prefetch of W ahead of the loads:
//   pf_dist  distance ahead in W, in 64-byte cache lines (0 = no prefetch instructions)
//   pf_hint  t0 | t1 | t2 | nta (variants/prefetch.hpp): nta keeps W, used once, from evicting x
//            and y from the caches
#include "harness/core/registry.hpp"
#include "variants/gemv/rows_avx2.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvKernel>({
    .name = "avx2_prefetch",
    .summary = "gemv.avx2 with software prefetch of the W rows",
    .isa = CROMWELL_AVX2,
    .space = {.params = {Param::integer("pf_dist", 0, 1024, {0, 4, 16, 64}, 4, "cache lines",
                                        "prefetch distance ahead in W"),
                         prefetch::hint_param()},
              .constraints = {prefetch::hint_needs_distance()}},
    .prepare = [](const GemvShape& s, const ParamValues& p, Pool& pool) -> Runnable<GemvKernel> {
      const std::int64_t dist = p.integer("pf_dist");
      const auto rows =
          prefetch::dispatch(prefetch::hint_of(p, dist), []<prefetch::Hint H>() { return &gemv_avx2::rows<H>; });
      return [s, dist, rows, &pool](GemvKernel::Workspace& ws) {
        pool.parallel_for(s.n, 4, [&](std::int64_t b, std::int64_t e) {
          rows(s, ws.w.data(), ws.x.data(), ws.y.data(), b, e, dist);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
