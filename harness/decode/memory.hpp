#pragma once
// Whether the model fits: the memory this process may still take, from /proc/meminfo's
// MemAvailable and the cgroup's memory.max less memory.current (cgroup v2), checked before any
// weight is allocated — a decode that allocates 4.4 GB on a machine that has 3 would be killed
// half-way, or make the machine swap and measure the disk.
#include <cstdint>
#include <optional>
#include <string>

namespace cromwell::decode {

struct MemoryRoom {
  std::optional<std::int64_t> available;  // MemAvailable, bytes
  std::optional<std::int64_t> cgroup_max, cgroup_current;
  std::string meminfo_path, cgroup_dir;
  // The smaller of MemAvailable and the cgroup's headroom; empty when neither is known.
  std::optional<std::int64_t> room() const;
};

// From `meminfo` (normally /proc/meminfo) and the cgroup v2 directory `cgroup_dir` (normally
// /sys/fs/cgroup + the path in /proc/self/cgroup; "" to skip). Files that are missing or
// unreadable leave their fields empty.
MemoryRoom read_memory_room(const std::string& meminfo, const std::string& cgroup_dir);
// This process's: CROMWELL_MEMINFO and CROMWELL_CGROUP_DIR replace the two paths (tests fake them).
MemoryRoom memory_room();

// "" when `need` bytes fit in `room` with 10 % to spare; else the refusal, with the numbers and
// what to do (`--layers`, a smaller format).
std::string memory_refusal(std::int64_t need, const MemoryRoom& room, const std::string& what);

}  // namespace cromwell::decode
