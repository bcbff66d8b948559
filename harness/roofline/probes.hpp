#pragma once
// The probes behind the machine profile: register-only loops of independent FMAs (the compute
// peak), a chain of dependent adds (the effective clock), and passes over a buffer that lives in
// one level of the memory hierarchy (read, copy, copy with non-temporal stores). Each probe runs
// on the calling thread; ceilings.cpp runs them on every thread of a pool and times them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cromwell {
class Pool;
}

namespace cromwell::probes {

// `iters` iterations of independent fp32 multiply-adds with enough accumulators to hide their
// latency: "baseline" (SSE2 mul and add, no FMA: the code a variant without an ISA gets),
// "avx2" (256-bit FMA), "avx512" (512-bit FMA). Returns the flops done (a multiply-add is 2).
double multiply_adds(const std::string& isa, std::int64_t iters);

// `iters` iterations of independent dot-product instructions, the arithmetic of the bf16 and 8-bit
// GEMVs: "bf16_avx512" (vdpbf16ps), "int8_avx2" (vpmaddubsw, vpmaddwd, vpaddd), "int8_avx_vnni"
// (256-bit vpdpbusd), "int8_avx512_vnni" (512-bit vpdpbusd). Returns the operations done (a product
// and its accumulation are 2, as for the FMA).
double dot_products(const std::string& kind, std::int64_t iters);
const std::vector<std::string>& dot_kinds();
std::string dot_isa(const std::string& kind);  // the CPU feature it needs: "avx512bf16", "avxvnni", ...
// `iters` × 64 dependent integer adds: one per cycle, so adds / second is the clock the core
// actually runs at (boost, throttling, a hypervisor's share). Returns the adds done.
double dependent_adds(std::int64_t iters);

enum class Op { read, copy, copy_nt };
const char* to_string(Op op);  // "read", "copy", "copy_nt"

// One pass of `op` with `isa`'s widest loads and stores ("avx2" or "avx512") over `bytes` at `buf`
// (64-byte aligned, a multiple of 1 KiB): read loads every byte; copy and copy_nt copy the first
// half onto the second. Returns the bytes moved (read + written: the STREAM convention, no
// write-allocate).
double pass(Op op, const std::string& isa, std::byte* buf, std::size_t bytes);

// One buffer of `bytes` per thread of `pool`, 4 KiB aligned, first touched by its thread (its pages
// on that thread's node), freed at the end of scope. Throws std::runtime_error when one cannot be
// allocated.
struct ThreadBuffers {
  std::vector<std::byte*> at;
  ThreadBuffers(Pool& pool, std::size_t bytes);
  ~ThreadBuffers();
  ThreadBuffers(const ThreadBuffers&) = delete;
  ThreadBuffers& operator=(const ThreadBuffers&) = delete;
};

}  // namespace cromwell::probes
