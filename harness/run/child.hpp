#pragma once
// Child processes of this program. A child gets one serialized request (core/request.hpp) as the
// single argument of the hidden `_child` command and answers on stdout: a measured row as one JSON
// line of the results schema, a region of calls (under valgrind), a known-answer kernel, or the
// options as it applied them.
#include <cstdio>
#include <string>
#include <vector>

#include "harness/core/record.hpp"
#include "harness/core/registry.hpp"
#include "harness/core/request.hpp"

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

// `--isolate`: checks and measures `c` in a child process of its own, so that a crash (SIGSEGV,
// SIGILL, abort) or a run past `timeout_s` (> 0) becomes an `error` record naming the signal or the
// timeout. Never throws for a problem of the config.
Record measure_isolated(const Config& c, const VariantEntry& v, const MeasureOptions& opt, bool time,
                        double timeout_s);

// The child's side: carries out the request, writes its answer to `out`; returns the exit code.
int serve_child(const ChildRequest& request, std::FILE* out);

}  // namespace cromwell
