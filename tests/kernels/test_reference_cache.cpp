// The reference cache (cached_reference, harness/core/registry.hpp): computed once per key even
// when several threads ask at the same moment, an exception reaches every waiter and leaves the
// key to be computed afresh, and the cache holds no more than its budget.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"

using namespace cromwell;

namespace {

std::shared_ptr<const void> value_of(int v) { return std::make_shared<const int>(v); }

// Starts `n` threads that each ask for `key` once all of them are ready; returns what they got.
std::vector<std::shared_ptr<const void>> ask_together(int n, const std::string& key,
                                                      const std::function<std::shared_ptr<const void>()>& make,
                                                      std::atomic<int>& threw) {
  std::vector<std::shared_ptr<const void>> got(static_cast<std::size_t>(n));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < n) std::this_thread::yield();
      try {
        got[static_cast<std::size_t>(t)] = cached_reference(key, make);
      } catch (const std::exception&) {
        threw.fetch_add(1);
      }
    });
  for (auto& th : threads) th.join();
  return got;
}

}  // namespace

TEST_CASE("two threads asking for one reference compute it once and share it", "[reference]") {
  std::atomic<int> made{0}, threw{0};
  const auto before = reference_cache_stats();
  // Slow enough that the second thread asks while the first computes.
  const auto got = ask_together(
      2, "test/once/1",
      [&] {
        made.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return value_of(7);
      },
      threw);
  CHECK(made.load() == 1);
  CHECK(threw.load() == 0);
  REQUIRE(got[0]);
  CHECK(got[0] == got[1]);
  CHECK(*std::static_pointer_cast<const int>(got[0]) == 7);
  const auto after = reference_cache_stats();
  CHECK(after.computed - before.computed == 1);
  CHECK(after.shared - before.shared == 1);
  // Later requests get the same value without computing.
  CHECK(cached_reference("test/once/1", [&] {
          made.fetch_add(1);
          return value_of(8);
        }) == got[0]);
  CHECK(made.load() == 1);
}

TEST_CASE("a reference that throws reaches every waiter, and is computed afresh next time", "[reference]") {
  std::atomic<int> made{0}, threw{0};
  ask_together(
      3, "test/throws/1",
      [&]() -> std::shared_ptr<const void> {
        made.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        throw std::runtime_error("no reference");
      },
      threw);
  CHECK(made.load() == 1);
  CHECK(threw.load() == 3);
  const auto v = cached_reference("test/throws/1", [] { return value_of(3); });
  CHECK(*std::static_pointer_cast<const int>(v) == 3);
}

TEST_CASE("the reference cache keeps the most recently used references within its budget", "[reference]") {
  const std::size_t old = set_reference_cache_budget(0);  // drops what other tests left
  set_reference_cache_budget(3000);
  const auto evicted0 = reference_cache_stats().evicted;
  int made = 0;
  auto make = [&] {
    ++made;
    return value_of(made);
  };
  const auto a = cached_reference("test/budget/a", make, 1000);
  cached_reference("test/budget/b", make, 1000);
  cached_reference("test/budget/a", make, 1000);  // a is now more recent than b
  cached_reference("test/budget/c", make, 1500);  // over budget: b goes
  CHECK(made == 3);
  CHECK(reference_cache_stats().evicted - evicted0 == 1);
  CHECK(cached_reference("test/budget/a", make, 1000) == a);  // still held
  CHECK(made == 3);
  cached_reference("test/budget/b", make, 1000);  // computed again
  CHECK(made == 4);
  // An instance that holds an evicted value keeps it: the cache only drops its own pointer.
  CHECK(*std::static_pointer_cast<const int>(a) == 1);
  set_reference_cache_budget(old);
}
