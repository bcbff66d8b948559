#pragma once
// One config from start to record: ISA check, child process when the config needs its own
// environment, workspaces, check against the reference, timing, statistics.
#include <cstdint>
#include <string>

#include "harness/core/record.hpp"
#include "harness/core/registry.hpp"
#include "harness/run/timing.hpp"

namespace cromwell {
class CounterBackend;
}

namespace cromwell {

struct MeasureOptions {
  TimingOptions timing;
  std::uint64_t seed = 42;
  std::size_t cold_bytes = 0;          // 0: four times the L3 in force
  bool in_child = false;               // true inside the child process: never spawn another
  CounterBackend* counters = nullptr;  // null: no counters
  std::string counters_name = "none";  // what a child process is told to use
};

std::size_t cold_bytes_or_default(std::size_t requested);

// Checks, then (when `time` is true and the check passed) measures. Never throws for a problem of
// the config itself: that becomes a `failed`, `unsupported` or `error` record.
Record measure(const Config& c, const VariantEntry& v, const MeasureOptions& opt, bool time = true);

// A row that fixes the timer and fork-join cost of the pool for (threads, pin): kernel "noop",
// variant "forkjoin", one empty pool.run() per call.
Record calibrate(const Axes& axes, const MeasureOptions& opt);

// Serialization of a record between the child process and its parent (one field per line).
std::string encode_record(const Record& r);
Record decode_record(const std::string& text, const Config& c);

}  // namespace cromwell
