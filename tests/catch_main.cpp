// The test runner: Catch2's main, with child processes (configs that need their own environment,
// simulated counters) started from the cromwell binary rather than from this runner.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "harness/run/child.hpp"

int main(int argc, char** argv) {
  cromwell::set_child_executable(CROMWELL_BINARY);
  return Catch::Session().run(argc, argv);
}
