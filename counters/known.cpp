#include "counters/known.hpp"

#include <valgrind/callgrind.h>
#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {

const std::vector<KnownKernel>& known_kernels() {
  static const std::vector<KnownKernel> k = {
      {"chase_l1", "random pointer chase in 16 KiB (inside L1D)", 1 << 20},
      {"chase_dram", "random pointer chase over 256 MiB (far beyond L3)", 1 << 20},
      {"stream_read", "sequential read of 64 MiB", (64u << 20) / 64},
      {"reread_16m", "second sequential read of 16 MiB (fits L3)", (16u << 20) / 64},
  };
  return k;
}

namespace {

// One pointer per 64-byte line, linked in a random cycle.
std::vector<std::uint64_t> chain(std::size_t bytes) {
  const std::size_t lines = bytes / 64, stride = 64 / sizeof(std::uint64_t);
  std::vector<std::uint64_t> mem(lines * stride);
  std::vector<std::size_t> order(lines);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin() + 1, order.end(), std::mt19937_64(42));
  for (std::size_t i = 0; i < lines; ++i) mem[order[i] * stride] = order[(i + 1) % lines] * stride;
  return mem;
}

[[gnu::noinline]] std::uint64_t chase(const std::uint64_t* mem, std::uint64_t steps) {
  std::uint64_t p = 0;
  for (std::uint64_t i = 0; i < steps; ++i) p = mem[p];
  return p;
}

[[gnu::noinline]] std::uint64_t stream(const std::uint64_t* mem, std::size_t n) {
  std::uint64_t s = 0;
  for (std::size_t i = 0; i < n; i += 8) s += mem[i];  // one load per line
  return s;
}

}  // namespace

void run_known(const std::string& name, bool simulate, void (*start)(void*), void (*stop)(void*), void* arg) {
  volatile std::uint64_t sink = 0;
  auto region = [&](auto&& body) {
    if (simulate) {
      CALLGRIND_ZERO_STATS;
      CALLGRIND_TOGGLE_COLLECT;
    } else if (start) {
      start(arg);
    }
    sink = body();
    if (simulate)
      CALLGRIND_TOGGLE_COLLECT;
    else if (stop)
      stop(arg);
  };
  if (name == "chase_l1" || name == "chase_dram") {
    const auto mem = chain(name == "chase_l1" ? (16u << 10) : (256u << 20));
    sink = chase(mem.data(), mem.size() / 8);  // warm-up: one full cycle
    region([&] { return chase(mem.data(), std::uint64_t{1} << 20); });
  } else if (name == "stream_read") {
    std::vector<std::uint64_t> mem((64u << 20) / 8, 1);
    std::vector<std::uint64_t> evict((64u << 20) / 8, 2);  // pushes the stream out of any L3
    sink = stream(evict.data(), evict.size());
    region([&] { return stream(mem.data(), mem.size()); });
  } else if (name == "reread_16m") {
    std::vector<std::uint64_t> mem((16u << 20) / 8, 1);
    sink = stream(mem.data(), mem.size());
    region([&] { return stream(mem.data(), mem.size()); });
  } else {
    throw std::invalid_argument(fmt::format("unknown known-answer kernel '{}'", name));
  }
  (void)sink;
}

}  // namespace cromwell
