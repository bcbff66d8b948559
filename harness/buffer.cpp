#include "harness/buffer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

#include "harness/pool.hpp"

namespace cromwell {

RawBuffer Alloc::raw(std::size_t bytes) const {
  // mmap gives page-aligned memory that nobody has touched yet.
  const std::size_t length = bytes + offset + 64;
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw std::runtime_error("mmap(" + std::to_string(length) + " bytes): " + std::strerror(errno));
  RawBuffer b;
  b.base = std::shared_ptr<std::byte>(static_cast<std::byte*>(p), [length](std::byte* q) { munmap(q, length); });
  b.data = b.base.get() + offset;
  b.bytes = bytes;
  // First touch: each thread of the pool writes the pages of its contiguous chunk.
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const auto pages = static_cast<std::int64_t>((length + page - 1) / page);
  auto touch = [&](std::int64_t p0, std::int64_t p1) {
    for (std::int64_t i = p0; i < p1; ++i) b.base.get()[i * page] = std::byte{0};
  };
  if (pool && pool->size() > 1) pool->parallel_for(pages, 1, touch);
  else touch(0, pages);
  return b;
}

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

float uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  const std::uint64_t h = splitmix64(splitmix64(seed ^ (stream * 0xd1b54a32d192ed03ULL)) ^ index);
  // 24 random bits → a float in [-1, 1), exactly representable.
  return static_cast<float>(static_cast<std::int64_t>(h >> 40) - (1 << 23)) * 0x1p-23f;
}

void fill_uniform(std::span<float> out, std::uint64_t seed, std::uint64_t stream, Pool* pool) {
  auto fill = [&](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) out[i] = uniform(seed, stream, static_cast<std::uint64_t>(i));
  };
  const auto n = static_cast<std::int64_t>(out.size());
  if (pool && pool->size() > 1) pool->parallel_for(n, 1024, fill);
  else fill(0, n);
}

}  // namespace cromwell
