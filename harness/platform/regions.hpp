#pragma once
// Mapped memory for buffers, kept after release to be handed to the next buffer that fits. The
// first touch of a page is the harness's own cost, not the kernel's: on a VM it costs 10–20 µs per
// 4 KiB page (1 GiB: 3–5 s), while writing a page already mapped costs a memset. Configs of one
// sweep need workspaces of other kernels and shapes than the last one, so the pages of those
// released are reused rather than unmapped and faulted in afresh.
//
// A region taken from the pool is zeroed up to the length asked for, as a fresh mapping is; its
// pages are already placed, so the pool is used only on a machine with one NUMA node (where first
// touch decides nothing) and only for regions of at least kMinPooled bytes. What the pool holds
// while unused stays within a quarter of the memory available and at most 4 GiB; a region beyond
// that is unmapped.
#include <cstddef>

namespace cromwell {

struct Region {
  void* base = nullptr;
  std::size_t length = 0;  // the length asked for, in whole pages
  bool fresh = true;       // true: untouched pages from mmap; false: reused, zeroed by the caller's touch
};

inline constexpr std::size_t kMinPooled = std::size_t{64} << 10;

// A mapping of `length` bytes rounded up to whole pages: cut from the smallest pooled region that
// holds it, else a fresh one. Throws std::runtime_error naming the size when mmap fails.
Region map_region(std::size_t length);
// Returns a region to the pool (or unmaps it).
void release_region(Region r);

// Bytes held in the pool, unused.
std::size_t pooled_bytes();
// Unmaps every region the pool holds (memory back to the system).
void drop_pooled_regions();

}  // namespace cromwell
