#pragma once
// Software prefetch shared by the *_prefetch variants: the `pf_hint` parameter and the prefetch
// instruction with its locality hint as a template argument (no branch in an inner loop).
//   t0   into every cache level        t1  into L2 and below (L1 skipped)
//   t2   into L3 and below             nta non-temporal: close to the core, evicted first
// Hint::none compiles the prefetches away (pf_dist 0).
#include <immintrin.h>

#include <string>

#include <fmt/format.h>

#include "harness/core/param.hpp"
#include "harness/core/space.hpp"

namespace cromwell::prefetch {

enum class Hint { none, t0, t1, t2, nta };

inline Param hint_param() {
  return Param::choice("pf_hint", {"t0", "t1", "t2", "nta"}, {"t0", "nta"}, "t0",
                       "locality hint of the prefetch instructions");
}

// At pf_dist 0 there are no prefetch instructions, so pf_hint changes nothing: sweeps measure
// only the default hint there (a heuristic: --no-prune runs the others too).
inline Constraint hint_needs_distance() {
  return {"pf_hint-needs-pf_dist", Constraint::Kind::heuristic,
          [](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
            if (p.integer("pf_dist") != 0 || p.str("pf_hint") == "t0") return "";
            return fmt::format("pf_hint={} does nothing at pf_dist=0 (pf_hint=t0 is measured)", p.str("pf_hint"));
          }};
}

// The hint a config asks for; none when its distance is 0.
inline Hint hint_of(const ParamValues& p, std::int64_t dist) {
  if (dist == 0) return Hint::none;
  const std::string& h = p.str("pf_hint");
  return h == "t0" ? Hint::t0 : h == "t1" ? Hint::t1 : h == "t2" ? Hint::t2 : Hint::nta;
}

template <Hint H>
[[gnu::always_inline]] inline void line(const void* p) {
  if constexpr (H == Hint::t0) _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T0);
  if constexpr (H == Hint::t1) _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T1);
  if constexpr (H == Hint::t2) _mm_prefetch(static_cast<const char*>(p), _MM_HINT_T2);
  if constexpr (H == Hint::nta) _mm_prefetch(static_cast<const char*>(p), _MM_HINT_NTA);
}

// A runtime hint turned into a compile-time one: returns make.template operator()<H>() — e.g.
// the address of a function template instantiated for H.
template <class Make>
auto dispatch(Hint h, Make&& make) {
  switch (h) {
    case Hint::t0:
      return make.template operator()<Hint::t0>();
    case Hint::t1:
      return make.template operator()<Hint::t1>();
    case Hint::t2:
      return make.template operator()<Hint::t2>();
    case Hint::nta:
      return make.template operator()<Hint::nta>();
    case Hint::none:
      break;
  }
  return make.template operator()<Hint::none>();
}

}  // namespace cromwell::prefetch
