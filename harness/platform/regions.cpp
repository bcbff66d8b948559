#include "harness/platform/regions.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/machine.hpp"
#include "harness/platform/topology.hpp"

namespace cromwell {
namespace {

constexpr std::size_t kPage = 4096;  // regions are cut on page boundaries

struct Pool {
  std::mutex mutex;
  std::multimap<std::size_t, void*> free;  // length → base
  std::size_t held = 0;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: buffers in static storage may be released after exit begins
  return *p;
}

bool pooling() {
  static const bool one_node = machine_topology().numa_nodes <= 1;
  return one_node;
}

std::size_t capacity() {
  static const std::size_t cap = [] {
    const std::int64_t available = memory_available().bytes;
    return std::min<std::size_t>(available > 0 ? std::size_t(available) / 4 : 0, std::size_t{4} << 30);
  }();
  return cap;
}

}  // namespace

Region map_region(std::size_t length) {
  length = (length + kPage - 1) / kPage * kPage;
  if (length >= kMinPooled && pooling()) {
    Pool& p = pool();
    const std::lock_guard lock(p.mutex);
    // The smallest free region that holds `length`; what it has beyond stays in the pool as a
    // region of its own (a mapping can be cut anywhere on a page boundary).
    if (const auto it = p.free.lower_bound(length); it != p.free.end()) {
      const Region r{it->second, length, /*fresh=*/false};
      const std::size_t rest = it->first - length;
      p.held -= it->first;
      p.free.erase(it);
      if (rest > 0) {
        p.free.emplace(rest, static_cast<std::byte*>(r.base) + length);
        p.held += rest;
      }
      return r;
    }
  }
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::runtime_error(fmt::format("mmap({} bytes): {}", length, std::strerror(errno)));
  return {base, length, /*fresh=*/true};
}

void release_region(Region r) {
  if (r.base == nullptr) return;
  if (r.length >= kMinPooled && pooling()) {
    Pool& p = pool();
    const std::lock_guard lock(p.mutex);
    if (p.held + r.length <= capacity()) {
      p.free.emplace(r.length, r.base);
      p.held += r.length;
      return;
    }
  }
  munmap(r.base, r.length);
}

std::size_t pooled_bytes() {
  Pool& p = pool();
  const std::lock_guard lock(p.mutex);
  return p.held;
}

void drop_pooled_regions() {
  Pool& p = pool();
  const std::lock_guard lock(p.mutex);
  for (const auto& [length, base] : p.free) munmap(base, length);
  p.free.clear();
  p.held = 0;
}

}  // namespace cromwell
