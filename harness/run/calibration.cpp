#include "harness/run/calibration.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/pool.hpp"
#include "harness/platform/text.hpp"
#include "harness/roofline/bound.hpp"
#include "harness/roofline/ceilings.hpp"
#include "harness/roofline/probes.hpp"

namespace cromwell {
namespace {

constexpr std::int64_t kFmaIterations = 1 << 16;  // per thread and call: about 0.1 ms
constexpr std::size_t kLeastBytes = 4 << 20;      // read per thread and call

bool compute_bound(const Work& w, const Axes& axes, const std::vector<std::string>& isa) {
  if (w.flops <= 0) return false;
  if (w.bytes <= 0) return true;
  const double intensity = w.flops / w.bytes;
  if (const auto& p = machine_profile()) {
    // The bound depends on the ratio of flops to bytes only: an intensity of flops per byte at 1 GB/s.
    const RowBound b =
        roofline_bound(*p, machine_caches(), {intensity, 1.0, w.bytes, axes.threads, isa, axes.cache == "cold"});
    if (b.pct_peak) return b.bound.rfind("compute", 0) == 0;
  }
  return intensity >= kComputeBoundIntensity;
}

}  // namespace

std::string calibration_name(const Work& w, const Axes& axes, const std::vector<std::string>& isa) {
  const std::string peak = peak_isa(isa);
  if (compute_bound(w, axes, isa)) return "fma." + peak;
  const std::string level = axes.cache == "cold" ? "DRAM" : level_of(machine_caches(), w.bytes, axes.threads);
  return fmt::format("read.{}.{}", peak == "avx512" ? "avx512" : "avx2", level);
}

Calibration::Calibration(const std::string& name, Pool& pool) : name_(name), pool_(pool) {
  const auto parts = split(name, '.');
  const bool fma = parts.size() == 2 && parts[0] == "fma";
  const bool read = parts.size() == 3 && parts[0] == "read";
  const auto& levels = memory_levels();
  if (!(fma && (parts[1] == "baseline" || parts[1] == "avx2" || parts[1] == "avx512")) &&
      !(read && (parts[1] == "avx2" || parts[1] == "avx512") &&
        std::find(levels.begin(), levels.end(), parts[2]) != levels.end()))
    throw std::invalid_argument(fmt::format(
        "calibration '{}': expected fma.ISA (ISA baseline, avx2, avx512) or read.ISA.LEVEL (ISA avx2, avx512; "
        "LEVEL {})",
        name, join(levels, ", ")));
  op_ = parts[0];
  isa_ = parts[1];
  const std::vector<std::string> features = isa_ == "avx512" ? std::vector<std::string>{"avx512f"}
                                            : isa_ == "avx2" ? std::vector<std::string>{"avx2", "fma"}
                                                             : std::vector<std::string>{};
  if (const auto missing = missing_isa(features); !missing.empty())
    throw std::runtime_error(fmt::format("calibration {}: this CPU lacks {}", name, missing));
  if (read) {
    const CacheSizes& c = machine_caches();
    bytes_ = std::size_t(level_bytes(parts[2], pool.size(), c.l1d, c.l2, c.l3));
    passes_ = int(std::max<std::size_t>(1, (kLeastBytes + bytes_ - 1) / bytes_));
    buffers_ = std::make_unique<probes::ThreadBuffers>(pool, bytes_);
  }
}

Calibration::~Calibration() = default;

void Calibration::call() {
  if (op_ == "fma") {
    pool_.run([&](int) { probes::multiply_adds(isa_, kFmaIterations); });
    return;
  }
  pool_.run([&](int tid) {
    for (int i = 0; i < passes_; ++i) probes::pass(probes::Op::read, isa_, buffers_->at[tid], bytes_);
  });
}

Calibration& calibration_for(const std::string& name, Pool& pool) {
  static std::unique_ptr<Calibration> last;
  if (!last || last->name() != name || &last->pool() != &pool) {
    last.reset();  // its buffers go before the next one's are taken
    last = std::make_unique<Calibration>(name, pool);
  }
  return *last;
}

}  // namespace cromwell
