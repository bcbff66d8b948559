#pragma once
// Counter backends (--counters auto|perf|sim|sw|none). Every value a backend reports is per call
// of the kernel; a value it cannot give is empty with the reason, never 0.
//   perf  hardware events (libpfm4 names or raw encodings) via perf_event_open: one group per
//         pool thread, user mode, counting the timed loops only, summed over threads
//   sw    software events (task clock, page faults, context switches, migrations); where the
//         kernel refuses them, getrusage(RUSAGE_THREAD) and CLOCK_THREAD_CPUTIME_ID
//   sim   callgrind's cache simulation of one config in a child process (started through the
//         ChildCommand the caller supplies: the counters know no command names)
//   none  nothing
// Backends are found by name in a small registry (backends()); `auto` picks perf where hardware
// counters count, else sw.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/options.hpp"
#include "harness/core/record.hpp"
#include "harness/core/request.hpp"

namespace cromwell {

class Pool;

// Counting for one config, in-process. The session rotates through its passes (event sets that
// do not fit the PMU together), one per timed loop.
class CounterSession {
 public:
  virtual ~CounterSession() = default;
  virtual void start() = 0;
  virtual void stop(std::size_t calls) = 0;  // calls made by the timed loop just ended
  virtual std::vector<Metric> finish() = 0;  // per-call values
  virtual int passes() const { return 1; }   // timed loops needed to count every event once
};

class CounterBackend {
 public:
  virtual ~CounterBackend() = default;
  virtual std::string source() const = 0;  // none, sw, sw:rusage, perf:zen3, sim:zen3
  virtual std::string scope() const = 0;   // what the values cover, in one line
  virtual std::vector<std::string> columns() const = 0;
  // In-process counting around the timed loops; null when this backend does not count in-process.
  virtual std::unique_ptr<CounterSession> open(Pool&) { return nullptr; }
  // Out-of-process counting (sim), after the row was measured.
  virtual void annotate(Record&) {}
};

struct BackendChoice {
  std::unique_ptr<CounterBackend> backend;
  std::string why;  // one line for the user: what was chosen and why
};

struct BackendEntry {
  std::string name, help;
  std::function<BackendChoice(const CounterOptions&, const ChildCommand&)> make;
};
// auto, perf, sim, sw, none.
const std::vector<BackendEntry>& backends();
// The backend opt.backend names. `child` starts a child process for a task (the simulated
// backend's runs under valgrind). Throws std::invalid_argument for an unknown name or bad options.
BackendChoice make_backend(const CounterOptions& opt, const ChildCommand& child);

// The canonical columns every hardware or simulated backend fills where it can.
const std::vector<std::string>& canonical_counter_columns();

}  // namespace cromwell
