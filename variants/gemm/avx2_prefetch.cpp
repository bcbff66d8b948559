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

blis_avx2::Hint hint_of(const std::string& h) {
  using blis_avx2::Hint;
  return h == "t0" ? Hint::t0 : h == "t1" ? Hint::t1 : h == "t2" ? Hint::t2 : Hint::nta;
}

Space space() {
  Space s{.params = blis_avx2::blocking_params(), .constraints = blis_avx2::blocking_constraints()};
  s.params.push_back(Param::integer("pf_dist", 0, 256, {0, 4, 8, 16}, 8, "k-iterations",
                                    "prefetch distance ahead in the packed panels; 0 = none"));
  s.params.push_back(Param::choice("pf_hint", {"t0", "t1", "t2", "nta"}, {"t0", "nta"}, "t0",
                                   "locality hint of the prefetches"));
  return s;
}

const bool registered = register_variant<GemmKernel>({
    .name = "avx2_prefetch",
    .summary = "gemm.avx2 plus software prefetch of the packed panels and the C tile",
    .isa = {"avx2", "fma"},
    .space = space(),
    .prepare = [](const GemmShape& s, const ParamValues& p, Pool& pool) {
      return blis_avx2::prepare(s, blis_avx2::blocking_of(p),
                                {hint_of(p.str("pf_hint")), p.integer("pf_dist")}, pool);
    },
});

}  // namespace
}  // namespace cromwell
