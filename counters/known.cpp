#include "counters/known.hpp"

#include <valgrind/callgrind.h>
#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {

namespace {

constexpr std::uint64_t kChaseSteps = 1 << 20;

std::string mib(std::int64_t bytes) {
  return bytes >= (1 << 20) ? fmt::format("{} MiB", bytes >> 20) : fmt::format("{} KiB", bytes >> 10);
}

}  // namespace

std::vector<KnownKernel> known_kernels(const KnownSizes& s) {
  const auto lines = [](std::int64_t bytes) { return static_cast<std::uint64_t>(bytes / 64); };
  return {
      {"chase_l1", "random pointer chase in 16 KiB (inside L1D)", kChaseSteps},
      {"chase_dram", fmt::format("random pointer chase over {} (8 × L3)", mib(8 * s.l3)), kChaseSteps},
      {"stream_read", fmt::format("sequential read of {} (2 × L3)", mib(2 * s.l3)), lines(2 * s.l3)},
      {"reread_l3", fmt::format("second sequential read of {} (fits L3, not L2)", mib(s.l3 / 2)), lines(s.l3 / 2)},
      {"reread_l2", fmt::format("second sequential read of {} (fits L2)", mib(s.l2 / 2)), lines(s.l2 / 2)},
  };
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

void run_known(const std::string& name, const KnownSizes& sizes, bool simulate, void (*start)(void*),
               void (*stop)(void*), void* arg) {
  const auto words = [](std::int64_t bytes) { return static_cast<std::size_t>(bytes) / 8; };
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
    const auto mem = chain(name == "chase_l1" ? std::size_t{16} << 10 : static_cast<std::size_t>(8 * sizes.l3));
    sink = chase(mem.data(), mem.size() / 8);  // warm-up: one full cycle
    region([&] { return chase(mem.data(), kChaseSteps); });
  } else if (name == "stream_read") {
    std::vector<std::uint64_t> mem(words(2 * sizes.l3), 1);
    std::vector<std::uint64_t> evict(words(2 * sizes.l3), 2);  // pushes the stream out of L3
    sink = stream(evict.data(), evict.size());
    region([&] { return stream(mem.data(), mem.size()); });
  } else if (name == "reread_l3" || name == "reread_l2") {
    std::vector<std::uint64_t> mem(words((name == "reread_l3" ? sizes.l3 : sizes.l2) / 2), 1);
    sink = stream(mem.data(), mem.size());
    region([&] { return stream(mem.data(), mem.size()); });
  } else {
    throw std::invalid_argument(fmt::format("unknown known-answer kernel '{}'", name));
  }
  (void)sink;
}

}  // namespace cromwell
