// copy.nt_store — copy.avx2 with non-temporal (streaming) stores and a closing sfence: the
// destination bypasses the caches and is not read for ownership, so the copy moves 8n bytes
// instead of 12n. Pays off on arrays far larger than the last-level cache; hurts when y is read
// again soon.
#include "harness/core/registry.hpp"
#include "kernels/copy.hpp"
#include "variants/copy/stream_avx2.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<CopyKernel>({
    .name = "nt_store",
    .summary = "AVX2 with non-temporal stores + sfence",
    .isa = CROMWELL_AVX2,
    .space = {},
    .prepare = [](const StreamShape& s, const ParamValues&, Pool& pool) -> Runnable<CopyKernel> {
      return [s, &pool](CopyKernel::Workspace& ws) {
        pool.parallel_for(s.n, 16, [&](std::int64_t b, std::int64_t e) {
          copy_avx2::copy<copy_avx2::Store::nt, false>(ws.x.data(), ws.y.data(), b, e, 0);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
