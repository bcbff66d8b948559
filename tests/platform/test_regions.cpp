// The pool of mapped regions under workspace buffers: a released region serves the next buffer
// that fits, cut to size, zeroed as a fresh mapping is; small regions are not pooled.
#include <algorithm>
#include <cstring>

#include <catch2/catch.hpp>

#include "harness/platform/buffer.hpp"
#include "harness/platform/regions.hpp"
#include "harness/platform/topology.hpp"

using namespace cromwell;

TEST_CASE("a released region serves the next one that fits, cut to size", "[regions]") {
  if (machine_topology().numa_nodes > 1) {
    WARN("more than one NUMA node: first touch places pages, so nothing is pooled");
    return;
  }
  drop_pooled_regions();
  const std::size_t mib = std::size_t{1} << 20, before = 0;
  Region big = map_region(8 * mib);
  CHECK(big.fresh);
  CHECK(big.length == 8 * mib);
  std::byte* const base = static_cast<std::byte*>(big.base);
  release_region(big);
  CHECK(pooled_bytes() == before + 8 * mib);
  // 3 MiB + a byte: cut from the 8 MiB region (the smallest that holds it), in whole pages.
  Region part = map_region(3 * mib + 1);
  CHECK_FALSE(part.fresh);
  CHECK(part.base == base);
  CHECK(part.length == 3 * mib + 4096);
  CHECK(pooled_bytes() == before + 8 * mib - part.length);  // the rest stays pooled
  release_region(part);
  CHECK(pooled_bytes() == before + 8 * mib);
  // Below kMinPooled: a fresh mapping each time, unmapped on release.
  Region small = map_region(kMinPooled / 2);
  CHECK(small.fresh);
  release_region(small);
  CHECK(pooled_bytes() == before + 8 * mib);
  drop_pooled_regions();
  CHECK(pooled_bytes() == 0);
}

TEST_CASE("a buffer on a reused region reads zero, as a fresh one does", "[regions]") {
  const std::size_t n = (std::size_t{4} << 20) / sizeof(float);
  drop_pooled_regions();
  float* first = nullptr;
  {
    Buffer<float> a(Alloc{}, n);
    std::fill(a.view.begin(), a.view.end(), 1.5f);
    first = a.data();
  }
  Buffer<float> b(Alloc{}, n);
  if (machine_topology().numa_nodes <= 1) CHECK(b.data() == first);  // the same pages
  CHECK(std::all_of(b.view.begin(), b.view.end(), [](float v) { return v == 0.0f; }));
}
