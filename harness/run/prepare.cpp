#include "harness/run/prepare.hpp"

#include <chrono>

#include "harness/platform/machine.hpp"
#include "harness/run/phases.hpp"

namespace cromwell {

std::size_t cold_bytes_or_default(std::size_t requested) {
  return requested ? requested : static_cast<std::size_t>(4 * machine_caches().l3);
}

Prepared prepare(const Config& c, const VariantEntry& v, const PrepareOptions& opt) {
  Prepared p;
  {
    const PhaseTimer t(Phase::alloc);
    p.pool = &pool_for(c.axes.threads, c.axes.pin);
  }
  const auto pin = p.pin();
  InstanceOptions io;
  io.seed = opt.seed;
  io.align = static_cast<std::size_t>(c.axes.align);
  io.cold = c.axes.cache == "cold" && opt.copies;
  io.reuse = opt.reuse;
  io.cold_bytes = cold_bytes_or_default(opt.cold_bytes);
  {
    const PhaseTimer t(Phase::alloc);
    p.instance = v.instantiate(c.shape, c.params, *p.pool, io);
  }
  if (opt.check) {
    const std::int64_t ref0 = reference_ns_this_thread();
    {
      const PhaseTimer t(Phase::check);
      p.check = p.instance->check();
    }
    phase_move(Phase::check, Phase::reference, reference_ns_this_thread() - ref0);
  } else {
    p.check = Check::pass();
  }
  if (p.check.ok && opt.warm) {
    const PhaseTimer t(Phase::warmup);
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < p.instance->copies(); ++i) p.instance->call(i);
    p.warm_ns_per_call = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
                         static_cast<double>(p.instance->copies());
  }
  return p;
}

void Prepared::release() {
  const PhaseTimer t(Phase::alloc);
  instance.reset();
}

}  // namespace cromwell
