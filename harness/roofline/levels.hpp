#pragma once
// The cache sizes read off the bandwidth-against-size curve: a level ends where the bandwidth
// falls well below the plateau it held, and the next level begins where the fall stops. VMs report
// no usable sizes (an L3 of 508 MiB), and a built-in fallback is wrong for another generation.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/roofline/profile.hpp"

namespace cromwell {

// The working-set sizes of the curve: 4 KiB to `max_bytes`, four per octave (1, 1.25, 1.5 and
// 1.75 × 2^k).
std::vector<std::int64_t> curve_sizes(std::int64_t max_bytes);

// The largest size of the form 2^k or 1.5 × 2^k (what caches are built in) not above `bytes`.
std::int64_t capacity_below(std::int64_t bytes);

// "48 KiB", "1 MiB", "5.5 MiB".
std::string human_bytes(std::int64_t bytes);

// Levels L1, L2, L3 found on a curve of (bytes, GB/s) in increasing size. A level ends at the
// first size whose bandwidth, and the next one's, fall below `drop` × the level's plateau (the
// median of its sizes so far: one fast or slow size is noise, not a level); its capacity is the largest 2^k or 1.5 ×
// 2^k not above that size — a cache starts to miss a little before it is full (other data, page tables), so the last
// fast size under-states it. At most three levels; fewer when the curve shows fewer falls.
std::vector<Level> levels_from_curve(const std::vector<std::pair<std::int64_t, double>>& curve, double drop = 0.8);

}  // namespace cromwell
