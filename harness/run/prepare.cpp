#include "harness/run/prepare.hpp"

#include "harness/platform/machine.hpp"

namespace cromwell {

std::size_t cold_bytes_or_default(std::size_t requested) {
  return requested ? requested : static_cast<std::size_t>(4 * machine_caches().l3);
}

Prepared prepare(const Config& c, const VariantEntry& v, const PrepareOptions& opt) {
  Prepared p;
  p.pool = &pool_for(c.axes.threads, c.axes.pin);
  const auto pin = p.pin();
  InstanceOptions io;
  io.seed = opt.seed;
  io.align = static_cast<std::size_t>(c.axes.align);
  io.cold = c.axes.cache == "cold";
  io.cold_bytes = cold_bytes_or_default(opt.cold_bytes);
  p.instance = v.instantiate(c.shape, c.params, *p.pool, io);
  p.check = opt.check ? p.instance->check() : Check::pass();
  if (p.check.ok && opt.warm)
    for (std::size_t i = 0; i < p.instance->copies(); ++i) p.instance->call(i);
  return p;
}

}  // namespace cromwell
