#include <catch2/catch.hpp>

#include "harness/platform/steal.hpp"

using namespace cromwell;

TEST_CASE("steal time is a percentage of elapsed CPU time") {
  CHECK(steal_pct({10, 1000, true}, {15, 1100, true}) == Approx(5.0));
  CHECK(!steal_pct({10, 1000, true}, {10, 1000, true}));
  CHECK(!steal_pct({}, {15, 1100, true}));
  CHECK(read_cpu_times().valid);
}
