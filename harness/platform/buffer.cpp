// Buffers of buffer.hpp: mapped regions (page-aligned; untouched, or reused and zeroed), touched
// by the threads that will use them; deterministic data from a counter-based hash.
#include "harness/platform/buffer.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <new>
#include <stdexcept>
#include <thread>
#include <vector>

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

std::int64_t allowed_cpus() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

constexpr std::size_t kSharedFill = std::size_t{16} << 20;

// Runs fill(i0, i1) over [0, n) floats of a buffer whose pages are placed already. With a pool of
// several threads: its threads, in chunks of whole pages in thread order (the threads that touched
// them). Else a buffer of at least kSharedFill bytes is shared with helper threads, one per CPU this
// thread may run on: the first write to a page costs a fault per 4 KiB on a VM even after
// MADV_POPULATE_WRITE (256 MiB: 0.35 s), and faults on two CPUs take half the time. Pages already
// placed stay where they are, whoever writes them.
void fill_floats(std::size_t count, Pool* pool, const std::function<void(std::int64_t, std::int64_t)>& fill) {
  const auto n = static_cast<std::int64_t>(count);
  const auto grain = static_cast<std::int64_t>(page_size() / sizeof(float));
  if (pool != nullptr && pool->size() > 1) {
    pool->parallel_for(n, grain, fill);
    return;
  }
  const auto helpers = count * sizeof(float) >= kSharedFill ? std::min<std::int64_t>(allowed_cpus() - 1, 7) : 0;
  if (helpers <= 0) {
    fill(0, n);
    return;
  }
  const std::int64_t per = (n + helpers) / (helpers + 1);
  const std::int64_t chunk = (per + grain - 1) / grain * grain;
  std::vector<std::thread> threads;
  for (std::int64_t t = 1; t <= helpers; ++t)
    threads.emplace_back([&fill, n, chunk, t, last = t == helpers] {
      fill(std::min(n, t * chunk), last ? n : std::min(n, (t + 1) * chunk));
    });
  fill(0, std::min(n, chunk));
  for (auto& th : threads) th.join();
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

  // First touch or zeroing of a reused region, by the pool's threads in contiguous chunks in thread
  // order (the partition most variants use), else by the caller. A fresh range is populated with
  // one madvise: on a VM a page fault per 4 KiB page costs 10–20 µs, populating the same pages in
  // one call about a fifteenth of that (512 MiB: 0.1 s against 1.5 s). The pages stay 4 KiB pages
  // placed by the calling thread, as the touch would; where the kernel lacks MADV_POPULATE_WRITE
  // (before Linux 5.14) one byte per page is written instead.
  std::byte* const start = b.base.get();
  const std::size_t page = page_size();
  const auto pages = static_cast<std::int64_t>((length + page - 1) / page);
  auto touch = [start, page, length, fresh = region.fresh](std::int64_t p0, std::int64_t p1) {
    if (!fresh) {
      const std::size_t from = static_cast<std::size_t>(p0) * page;
      std::memset(start + from, 0, std::min(static_cast<std::size_t>(p1) * page, length) - from);
      return;
    }
#ifdef MADV_POPULATE_WRITE
    if (madvise(start + static_cast<std::size_t>(p0) * page, static_cast<std::size_t>(p1 - p0) * page,
                MADV_POPULATE_WRITE) == 0)
      return;
#endif
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
  fill_floats(out.size(), pool, [key, data](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) data[i] = uniform_at(key, static_cast<std::uint64_t>(i));
  });
}

void fill_nan(std::span<float> out, Pool* pool) {
  float* const data = out.data();
  fill_floats(out.size(), pool, [data](std::int64_t i0, std::int64_t i1) {
    std::fill(data + i0, data + i1, std::numeric_limits<float>::quiet_NaN());
  });
}

}  // namespace cromwell
