#pragma once
// The calibration kernel of a config (`sweep --calibrate`): a probe of the config's bound type, run
// on the config's own pool, one repetition of it after each of the config's (timing.hpp:
// time_interleaved). What the host does during a run — another tenant, a lower clock, a busier
// memory controller — moves both alike. `gate --normalize` divides each repetition's time by that of
// the calibration after it, and gates the times of two runs only when the calibration itself
// drifted between them by less than τ/4.
//
//   fma.ISA         a compute-bound config: independent fp32 FMAs of the variant's widest ISA
//                   (probes::multiply_adds) on every thread of the pool;
//   read.ISA.LEVEL  any other: every thread reads a buffer of its own, of the size at which the
//                   roofline measures LEVEL (ceilings.hpp: level_bytes), LEVEL being the one that
//                   holds the config's working set (DRAM when cold); ISA avx512 for an AVX-512
//                   variant, else avx2.
//
// Compute-bound: the roofline bound at the config's intensity, threads, ISA and level is the peak,
// under the machine profile (`cromwell roofline`); without a profile, at least 4 flops per byte.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/config.hpp"
#include "harness/core/work.hpp"

namespace cromwell {

class Pool;
namespace probes {
struct ThreadBuffers;
}

// Below this many flops per byte a config is memory-bound when no machine profile says otherwise
// (Zen 3: one core's AVX2 peak over its DRAM bandwidth is about 3).
inline constexpr double kComputeBoundIntensity = 4;

// The calibration of a config: "fma.avx2", "read.avx2.L2", "read.avx512.DRAM".
std::string calibration_name(const Work& w, const Axes& axes, const std::vector<std::string>& isa);

class Calibration {
 public:
  // The probe `name` names, on `pool` (buffers allocated and first-touched by its threads). Throws
  // std::invalid_argument for a name it does not know, std::runtime_error when this CPU lacks the ISA.
  Calibration(const std::string& name, Pool& pool);
  ~Calibration();
  const std::string& name() const { return name_; }
  const Pool& pool() const { return pool_; }
  void call();  // one call: every thread of the pool runs the probe once

 private:
  std::string name_, op_, isa_;
  Pool& pool_;
  std::unique_ptr<probes::ThreadBuffers> buffers_;
  std::size_t bytes_ = 0;  // per thread, read.*
  int passes_ = 1;         // per call, read.*: at least 4 MiB per thread
};

// The calibration `name` on `pool`: the previous config's when it is the same (its buffers kept),
// else a new one in its place.
Calibration& calibration_for(const std::string& name, Pool& pool);

}  // namespace cromwell
