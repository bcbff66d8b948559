#pragma once
// Buffers for workspaces: 64-byte aligned, then offset by the `align` axis on purpose, allocated
// without touching memory and first-touched by the pool's threads (contiguous chunks in thread
// order, the partition most variants use), so pages land where the threads that use them run.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace cromwell {

class Pool;

struct RawBuffer {
  std::shared_ptr<std::byte> base;  // the allocation
  std::byte* data = nullptr;        // base + 64-byte aligned start + offset
  std::size_t bytes = 0;
};

// How a workspace allocates: the `align` axis offset and the pool that first-touches pages.
struct Alloc {
  std::size_t offset = 0;  // bytes from a 64-byte boundary
  Pool* pool = nullptr;    // null: the calling thread touches
  RawBuffer raw(std::size_t bytes) const;
  template <class T>
  std::span<T> make(std::size_t n, std::shared_ptr<std::byte>& keep) const {
    RawBuffer b = raw(n * sizeof(T));
    keep = b.base;
    return {reinterpret_cast<T*>(b.data), n};
  }
};

// A typed buffer that owns its memory.
template <class T>
struct Buffer {
  std::shared_ptr<std::byte> keep;
  std::span<T> view;
  Buffer() = default;
  Buffer(const Alloc& a, std::size_t n) { view = a.make<T>(n, keep); }
  T* data() const { return view.data(); }
  std::size_t size() const { return view.size(); }
  T& operator[](std::size_t i) const { return view[i]; }
};

// Deterministic data: a uniform value in [-1, 1) from (seed, stream, index); the same on every
// machine and independent of how a buffer is split among threads.
float uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);
void fill_uniform(std::span<float> out, std::uint64_t seed, std::uint64_t stream, Pool* pool);
// Quiet NaN everywhere: an output before a variant writes it.
void fill_nan(std::span<float> out, Pool* pool);

}  // namespace cromwell
