#pragma once
// Preparing one config for measure, compare and run, in one order: pin the calling thread to the
// pool's first CPU, allocate the workspace copies and first-touch them on the pool's threads,
// check one call against the reference, then warm every copy with one call (faults in pages and
// trains predictors; for a cold cache every copy, so the first timed loop meets no cold pages).
// Sweeps and checks take the workspaces an earlier config of the same data left (reuse: faulting in
// fresh pages cost more than the timed loops on VMs); the allocation, the check, its reference and
// the warm-up are timed into their phases (phases.hpp).
#include <cstddef>
#include <cstdint>
#include <memory>

#include "harness/core/registry.hpp"

namespace cromwell {

struct PrepareOptions {
  std::uint64_t seed = 42;
  std::size_t cold_bytes = 0;  // 0: four times the L3 in force
  bool check = true;           // false: the reference is never computed (simulated runs)
  bool warm = true;
  bool copies = true;  // false: no cold-cache copies, only the workspace the check uses (check only)
  bool reuse = false;  // workspaces left by earlier configs of the same data (InstanceOptions::reuse)
};

struct Prepared {
  Pool* pool = nullptr;
  std::unique_ptr<Instance> instance;
  Check check;                  // Check::pass() when not checked
  double warm_ns_per_call = 0;  // the warm-up's time per call (0 when not warmed)
  // The calling thread runs as the pool's thread 0 while the guard lives.
  Pool::CallerPin pin() const { return Pool::CallerPin(*pool); }
  // One call on copy i % copies (the cold-cache rotation).
  void call(std::size_t i) { instance->call(i % instance->copies()); }
  // Frees the workspace copies now (timed as allocation: unmapping large copies takes a while).
  void release();
};

// Throws for problems of the setup (an impossible pinning, allocation); a wrong answer is in
// `check` (then the copies are not warmed).
Prepared prepare(const Config& c, const VariantEntry& v, const PrepareOptions& opt);

std::size_t cold_bytes_or_default(std::size_t requested);

}  // namespace cromwell
