#pragma once
// Work model and check result: what one call of a kernel does, and whether it did it right.
#include <cstdint>
#include <string>

namespace cromwell {

// Per call. `bytes` is compulsory traffic (each input read once, each output written once: the
// STREAM convention), so GB/s = bytes / time compares variants of one kernel at equal work.
// `bytes_rfo` adds the read-for-ownership of outputs written with ordinary stores.
struct Work {
  double flops = 0;
  double bytes = 0;
  double bytes_rfo = 0;
};

// The outcome of comparing a variant's output with its kernel's reference.
struct Check {
  bool ok = true;
  std::string detail;  // on failure: first bad index, got, expected, tolerance
  static Check pass() { return {}; }
  static Check fail(std::string why) { return {false, std::move(why)}; }
};

}  // namespace cromwell
