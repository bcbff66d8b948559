#pragma once
// Child processes of this program. A child gets one serialized request (core/request.hpp) as the
// single argument of the hidden `_child` command and answers on stdout: a measured row as one JSON
// line of the results schema, a region of calls (under valgrind), a known-answer kernel, or the
// options as it applied them. With `-` for the request, it is a worker that reads requests from
// stdin, one per line, and answers each in turn.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/record.hpp"
#include "harness/core/registry.hpp"
#include "harness/core/request.hpp"
#include "harness/platform/process.hpp"

namespace cromwell {

inline constexpr const char* kChildCommand = "_child";

// The program children run: this executable by default (any program built with cromwell::main
// serves `_child`); a test runner sets the cromwell binary instead.
void set_child_executable(std::string path);

// The command line of the child executable carrying out `task` with the options `opt`.
std::vector<std::string> child_argv(const ChildTask& task, const MeasureOptions& opt);
ChildCommand child_command(const MeasureOptions& opt);

// Measures `c` in a child process with `env_assignment` ("OPENBLAS_CORETYPE=Haswell") added to its
// environment and returns its record. Throws std::runtime_error when the child fails to answer.
Record measure_in_child(const Config& c, const std::string& env_assignment, const MeasureOptions& opt, bool time);

// `--isolate`: checks and measures each config in a worker process, so that a crash (SIGSEGV,
// SIGILL, abort) or a run past `timeout_s` (> 0) becomes an `error` record naming the signal or the
// timeout, and the next config gets a new worker. A worker serves configs one after another until
// one fails (or the config's environment differs): what a process start and the references cost
// is paid once, not per config. measure() never throws for a problem of the config.
class IsolatedMeasurer {
 public:
  IsolatedMeasurer(MeasureOptions opt, double timeout_s);
  ~IsolatedMeasurer();
  Record measure(const Config& c, const VariantEntry& v);

 private:
  MeasureOptions opt_;
  double timeout_s_;
  std::vector<std::string> env_;       // the worker's environment assignments
  std::unique_ptr<Coprocess> worker_;  // none until the first config, and after a failure
};

// The child's side: carries out the request, writes its answer to `out`; returns the exit code.
int serve_child(const ChildRequest& request, std::FILE* out);
// A worker's side (`_child -`): serves the requests of `in`, one per line, until its end; ignores
// the stop signals (its parent decides when to stop) and dies with its parent.
int serve_worker(std::FILE* in, std::FILE* out);

}  // namespace cromwell
