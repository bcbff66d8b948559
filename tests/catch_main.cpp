// The test runner: Catch2's main, with child processes (configs that need their own environment,
// simulated counters) started from the cromwell binary rather than from this runner, and a fixed
// machine profile.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include "harness/run/child.hpp"

int main(int argc, char** argv) {
  cromwell::set_child_executable(CROMWELL_BINARY);
  // The machine profile of the tests (roofline/profile.hpp), not the one in the user's cache: the
  // rows of the tests' sweeps are placed under a fixed roofline.
  setenv("CROMWELL_PROFILE", CROMWELL_SOURCE_DIR "/tests/roofline/data/profile.json", 1);
  return Catch::Session().run(argc, argv);
}
