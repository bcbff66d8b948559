// copy.prefetch — copy.avx2 plus software prefetch of the source:
//   pf_dist  distance ahead, in 64-byte cache lines of x (0 = no prefetch instructions)
#include "harness/core/registry.hpp"
#include "kernels/copy.hpp"
#include "variants/copy/stream_avx2.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<CopyKernel>({
    .name = "prefetch",
    .summary = "AVX2 copy with software prefetch of the source",
    .isa = CROMWELL_AVX2,
    .space = {.params = {Param::integer("pf_dist", 0, 4096, {0, 8, 32, 128}, 32, "cache lines",
                                        "prefetch distance ahead in the source")},
              .constraints = {}},
    .prepare = [](const StreamShape& s, const ParamValues& p, Pool& pool) -> Runnable<CopyKernel> {
      const std::int64_t dist = p.integer("pf_dist");
      return [s, dist, &pool](CopyKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          if (dist > 0)
            copy_avx2::copy<copy_avx2::Store::normal, true>(ws.x.data(), ws.y.data(), b, e, dist);
          else
            copy_avx2::copy<copy_avx2::Store::normal, false>(ws.x.data(), ws.y.data(), b, e, 0);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
