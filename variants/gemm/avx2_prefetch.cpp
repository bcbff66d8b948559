// gemm.avx2_prefetch — gemm.avx2 plus software prefetch: the micro-kernel prefetches the C tile
// it is about to update and, every k-iteration, the packed A and B panels `pf_dist` iterations
// ahead (which runs into the next micro-panels near the end of a panel).
//   mc, kc, nc  as in gemm.avx2
//   pf_dist     prefetch distance in k-iterations of the micro-kernel (one iteration reads one
//               64-byte line of packed B and 24 bytes of packed A); 0 = no prefetch
//   pf_hint     t0 | t1 | t2 | nta: the locality hint of the prefetch instructions
#include "variants/gemm/blis_avx2.hpp"

namespace cromwell {
namespace {

Space space() {
  Space s{.params = blis_avx2::blocking_params(), .constraints = blis_avx2::blocking_constraints()};
  s.params.push_back(Param::integer("pf_dist", 0, 256, {0, 4, 8, 16}, 8, "k-iterations",
                                    "prefetch distance ahead in the packed panels; 0 = none"));
  s.params.push_back(prefetch::hint_param());
  s.constraints.push_back(prefetch::hint_needs_distance());
  return s;
}

const bool registered = register_variant<GemmKernel>({
    .name = "avx2_prefetch",
    .summary = "gemm.avx2 plus software prefetch of the packed panels and the C tile",
    .isa = CROMWELL_AVX2,
    .space = space(),
    .prepare =
        [](const GemmShape& s, const ParamValues& p, Pool& pool) {
          const std::int64_t dist = p.integer("pf_dist");
          return blis_avx2::prepare(s, blis_avx2::blocking_of(p), {prefetch::hint_of(p, dist), dist}, pool);
        },
});

}  // namespace
}  // namespace cromwell
