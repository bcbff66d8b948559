#pragma once
// Known-answer kernels for `cromwell counters --validate`: their cache behaviour is known, so the
// counters they produce say whether a metric can be trusted on this machine.
//   chase_l1     a random pointer chase inside 16 KiB (fits any L1D): almost no L1D misses
//   chase_dram   a random pointer chase over 256 MiB (far beyond any L3): almost every step misses L3
//   stream_read  a sequential read of 64 MiB: one fill from memory per 64-byte line
//   reread_16m   a second read of 16 MiB: it stays in a 32 MiB L3, so almost no L3 misses
#include <cstdint>
#include <string>
#include <vector>

namespace cromwell {

struct KnownKernel {
  std::string name, what;
  std::uint64_t accesses;  // loads per run (one per chase step, one per line for the stream)
};

const std::vector<KnownKernel>& known_kernels();
// Builds the data (not measured), then runs the kernel once inside `region` (start/stop of the
// counters: callgrind client requests when `simulate`, else the callbacks).
void run_known(const std::string& name, bool simulate, void (*start)(void*) = nullptr, void (*stop)(void*) = nullptr,
               void* arg = nullptr);

}  // namespace cromwell
