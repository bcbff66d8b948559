#pragma once
// Known-answer kernels for `cromwell counters --validate`: their cache behaviour is known, so the
// counters they produce say whether a metric can be trusted on this machine. They are sized
// against the caches being checked — the machine's, or the simulated model's, so that a small
// model (L3 of 2 MiB) validates in seconds:
//   chase_l1     a random pointer chase inside 16 KiB (fits any L1D): almost no L1D misses
//   chase_dram   a random pointer chase over 8 × L3: almost every step misses L3
//   stream_read  a sequential read of 2 × L3 after 2 × L3 of other data: one line from memory per
//                64-byte line
//   reread_l3    a second read of L3 / 2: it stays in L3 (not in L2), so almost no L3 misses
//   reread_l2    a second read of L2 / 2: it stays in L2, so almost no L2 or L3 misses
#include <cstdint>
#include <string>
#include <vector>

namespace cromwell {

struct KnownSizes {
  std::int64_t l2 = 512 << 10, l3 = 32 << 20;  // bytes
};

struct KnownKernel {
  std::string name, what;
  std::uint64_t accesses;  // loads per run (one per chase step, one per line for the streams)
};

std::vector<KnownKernel> known_kernels(const KnownSizes& sizes);
// Builds the data (not measured), then runs the kernel once inside `region` (start/stop of the
// counters: callgrind client requests when `simulate`, else the callbacks).
void run_known(const std::string& name, const KnownSizes& sizes, bool simulate, void (*start)(void*) = nullptr,
               void (*stop)(void*) = nullptr, void* arg = nullptr);

}  // namespace cromwell
