// gemv.avx2 — gemv.naive with AVX2/FMA: each thread's rows walked as four sequential streams
// that share the loads of x (variants/gemv/rows_avx2.hpp). Rows are split among threads in
// contiguous shares.
#include "harness/core/registry.hpp"
#include "variants/gemv/rows_avx2.hpp"

namespace cromwell {
namespace {

const bool registered = register_variant<GemvKernel>({
    .name = "avx2",
    .summary = "AVX2/FMA, four row streams sharing each load of x",
    .isa = CROMWELL_AVX2,
    .space = {},
    .prepare = [](const GemvShape& s, const ParamValues&, Pool& pool) -> Runnable<GemvKernel> {
      return [s, &pool](GemvKernel::Workspace& ws) {
        pool.parallel_for(s.n, 4, [&](std::int64_t b, std::int64_t e) {
          gemv_avx2::rows<prefetch::Hint::none>(s, ws.w.data(), ws.x.data(), ws.y.data(), b, e, 0);
        });
      };
    },
});

}  // namespace
}  // namespace cromwell
