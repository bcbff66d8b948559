#pragma once
// The check of an elementwise map y = f(x) (SiLU, GeLU): the first element outside the kernel's
// tolerance, named with its input.
#include <cmath>
#include <cstddef>

#include <fmt/format.h>

#include "harness/core/kernel.hpp"

namespace cromwell {

template <class K>
Check check_elementwise(const typename K::Shape& s, const typename K::Workspace& ws, const typename K::Reference& y) {
  for (std::size_t i = 0; i < std::size_t(s.n); ++i) {
    const Tolerance t = K::tolerance(s, ws, y, i);
    if (t.accepts(ws.y[i])) continue;
    if (std::isinf(ws.x[i]))
      return Check::fail(fmt::format("{} = {}, expected {}", K::element_name(s, ws, i), ws.y[i], t.expected));
    return Check::fail(fmt::format("{} = {:.9g} for x = {:.9g}, expected {:.9g} (tolerance {:.3g})",
                                   K::element_name(s, ws, i), ws.y[i], ws.x[i], t.expected, t.bound));
  }
  return Check::pass();
}

}  // namespace cromwell
