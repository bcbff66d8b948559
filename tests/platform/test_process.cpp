// A child that answers line by line (the --isolate worker's transport): answers in order, a child
// that exits or dies is reported as it ended, a silent one times out, and nothing here is killed
// by SIGPIPE when writing to a child that has gone.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>

#include "harness/platform/process.hpp"

using namespace cromwell;

TEST_CASE("a coprocess answers line by line for as long as it lives", "[process]") {
  Coprocess cat({"cat"}, {});
  REQUIRE(cat.send("one"));
  REQUIRE(cat.send("two"));
  CHECK(cat.read_line(5) == std::optional<std::string>("one"));
  CHECK(cat.read_line(5) == std::optional<std::string>("two"));
  const ProcessResult r = cat.end();  // still running: killed
  CHECK(r.signal == SIGKILL);
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("a coprocess's environment takes the assignments", "[process]") {
  Coprocess sh({"sh", "-c", "read x; echo \"$x $CROMWELL_TEST_VALUE\""}, {"CROMWELL_TEST_VALUE=42"});
  REQUIRE(sh.send("value"));
  CHECK(sh.read_line(5) == std::optional<std::string>("value 42"));
  CHECK(sh.read_line(5) == std::nullopt);
  const ProcessResult r = sh.end();
  CHECK(r.ok());
  CHECK(r.describe() == "exited with status 0");
}

TEST_CASE("a coprocess that dies is reported with its signal, and writing to it fails quietly", "[process]") {
  Coprocess sh({"sh", "-c", "read x; kill -SEGV $$"}, {});
  REQUIRE(sh.send("go"));
  CHECK(sh.read_line(5) == std::nullopt);
  for (int i = 0; i < 100 && sh.send("after"); ++i) {
  }
  CHECK_FALSE(sh.send("after"));  // the socket is closed: an error, no SIGPIPE
  const ProcessResult r = sh.end();
  CHECK(r.signal == SIGSEGV);
  CHECK_THAT(r.describe(), Catch::Contains("died with signal 11"));
}

TEST_CASE("a silent coprocess times out and is killed", "[process]") {
  Coprocess sleeper({"sleep", "30"}, {});
  CHECK(sleeper.read_line(0.2) == std::nullopt);
  const ProcessResult r = sleeper.end();
  CHECK(r.timed_out);
  CHECK(r.describe() == "timed out after 0.2 s (killed)");
}

TEST_CASE("a coprocess ends when its input closes", "[process]") {
  const auto start = std::chrono::steady_clock::now();
  { Coprocess cat({"cat"}, {}); }  // the destructor closes cat's input: cat exits, no kill needed
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

TEST_CASE("a coprocess that cannot start throws naming the program", "[process]") {
  CHECK_THROWS_WITH(Coprocess({"/nonexistent/cromwell-child"}, {}), Catch::Contains("/nonexistent/cromwell-child"));
}
