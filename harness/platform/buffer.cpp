// Buffers of buffer.hpp: mapped regions (page-aligned; untouched, or reused and zeroed), touched
// by the threads that will use them; deterministic data from a counter-based hash.
#include "harness/platform/buffer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/pool.hpp"
#include "harness/platform/regions.hpp"

namespace cromwell {
namespace {

std::size_t page_size() {
  static const std::size_t page = [] {
    const long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<std::size_t>(p) : std::size_t{4096};
  }();
  return page;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The per-(seed, stream) part of uniform(), hoisted out of fill loops.
std::uint64_t stream_key(std::uint64_t seed, std::uint64_t stream) {
  return splitmix64(seed ^ (stream * 0xd1b54a32d192ed03ULL));
}

float uniform_at(std::uint64_t key, std::uint64_t index) {
  const std::uint64_t h = splitmix64(key ^ index);
  // The top 24 bits, centred: an integer in [-2^23, 2^23) scaled by 2^-23 lands in [-1, 1), exactly.
  return static_cast<float>(static_cast<std::int64_t>(h >> 40) - (std::int64_t{1} << 23)) * 0x1p-23f;
}

}  // namespace

RawBuffer Alloc::raw(std::size_t bytes) const {
  constexpr std::size_t kAlign = 64;
  if (bytes > std::numeric_limits<std::size_t>::max() / 2 || offset > std::numeric_limits<std::size_t>::max() / 4)
    throw std::bad_alloc();
  // A page-aligned region that nobody has touched yet (so the first touch below decides where its
  // pages live), or one reused from the pool (regions.hpp), zeroed below as a fresh one is; the
  // 64 spare bytes keep room for the offset past a boundary.
  const std::size_t length = bytes + offset + kAlign;
  Region region;
  try {
    region = map_region(length);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{} for a {}-byte buffer", e.what(), bytes));
  }
  RawBuffer b;
  b.base = std::shared_ptr<std::byte>(static_cast<std::byte*>(region.base),
                                      [region](std::byte*) { release_region(region); });
  b.data = b.base.get() + offset;  // the mapping's start is page-aligned, hence 64-byte aligned
  b.bytes = bytes;

  // First touch (one zero byte per page) or zeroing of a reused region, by the pool's threads in
  // contiguous chunks in thread order (the partition most variants use), else by the caller.
  std::byte* const start = b.base.get();
  const std::size_t page = page_size();
  const auto pages = static_cast<std::int64_t>((length + page - 1) / page);
  auto touch = [start, page, length, fresh = region.fresh](std::int64_t p0, std::int64_t p1) {
    if (!fresh) {
      const std::size_t from = static_cast<std::size_t>(p0) * page;
      std::memset(start + from, 0, std::min(static_cast<std::size_t>(p1) * page, length) - from);
      return;
    }
    for (std::int64_t i = p0; i < p1; ++i)
      *reinterpret_cast<volatile std::byte*>(start + static_cast<std::size_t>(i) * page) = std::byte{0};
  };
  if (pool != nullptr && pool->size() > 1)
    pool->parallel_for(pages, 1, touch);
  else
    touch(0, pages);
  return b;
}

float uniform(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return uniform_at(stream_key(seed, stream), index);
}

void fill_uniform(std::span<float> out, std::uint64_t seed, std::uint64_t stream, Pool* pool) {
  const std::uint64_t key = stream_key(seed, stream);
  float* const data = out.data();
  auto fill = [key, data](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) data[i] = uniform_at(key, static_cast<std::uint64_t>(i));
  };
  const auto n = static_cast<std::int64_t>(out.size());
  // Chunks of whole pages of floats, in thread order: the same threads that first-touched them.
  const auto grain = static_cast<std::int64_t>(page_size() / sizeof(float));
  if (pool != nullptr && pool->size() > 1)
    pool->parallel_for(n, grain, fill);
  else
    fill(0, n);
}

}  // namespace cromwell
