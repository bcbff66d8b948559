#pragma once
// The request a child process carries out: one task and every option of the run, serialized once
// (a JSON object passed as one argument), so that no option can be dropped on the way.
//   measure   check, then time one config and print its result row (JSON lines, io/schema.hpp)
//   calls     check (unless told not to), warm up, then exactly `calls` calls in one collected
//             region (callgrind client requests): what the simulated counters run under valgrind
//   known     one known-answer kernel of counters/known.hpp inside a collected region
//   describe  print the options as the child applied them (what a test compares with the request)
//   repetition  time one repetition of `calls` calls (0: as many as min_time takes) on instance
//             `replica` of a config the worker holds, preparing it on first use: the two sides of
//             `gate --ab` (run/held.hpp)
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/core/options.hpp"

namespace cromwell {

struct ChildTask {
  enum class Kind { measure, calls, known, describe, repetition };
  Kind kind = Kind::measure;
  std::string target;  // a config key (measure, calls) or a known-answer kernel's name (known)
  long calls = 1;      // calls: the calls in the collected region; repetition: the calls timed (0: choose)
  bool check = true;   // calls: check the result before the region
  bool time = true;    // measure: false checks only
  int replica = 0;     // repetition: which of the worker's instances of the config
  bool operator==(const ChildTask&) const = default;
};

struct ChildRequest {
  ChildTask task;
  MeasureOptions options;
  bool operator==(const ChildRequest&) const = default;
};

std::string_view to_string(ChildTask::Kind);
std::string encode_request(const ChildRequest&);
// Throws std::invalid_argument naming the field that is missing or malformed.
ChildRequest decode_request(std::string_view text);

// The command line of a child process that carries out `task` with the options of this run.
// Supplied by the layer that knows how the program is invoked (run/child.hpp), so that lower
// layers (counter backends) start children without knowing command names.
using ChildCommand = std::function<std::vector<std::string>(const ChildTask&)>;

}  // namespace cromwell
