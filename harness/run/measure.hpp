#pragma once
// One config from start to record: ISA check, a child process when the config needs its own
// environment, preparation (prepare.hpp), timing, statistics, counters.
#include <memory>
#include <string>

#include "counters/backend.hpp"
#include "harness/core/options.hpp"
#include "harness/core/record.hpp"
#include "harness/core/registry.hpp"

namespace cromwell {

class Measurer {
 public:
  // Chooses the counter backend (throws std::invalid_argument for bad counter options). In a child
  // process (`in_child`) a config that asks for a child process is measured in place.
  explicit Measurer(MeasureOptions opt, bool in_child = false);
  const MeasureOptions& options() const { return opt_; }
  CounterBackend& counters() const { return *backend_; }
  const std::string& counters_why() const { return why_; }  // one line for the user: what counts, and why

  // Checks, then (when `time`) measures. Never throws for a problem of the config itself: that
  // becomes a `failed`, `unsupported` or `error` record.
  Record measure(const Config& c, const VariantEntry& v, bool time = true) const;
  // A row that fixes the timer and fork-join cost of the pool for (threads, pin): kernel "noop",
  // variant "forkjoin", one empty pool.run() per call.
  Record calibrate(const Axes& axes) const;

 private:
  MeasureOptions opt_;
  bool in_child_;
  std::unique_ptr<CounterBackend> backend_;
  std::string why_;
};

}  // namespace cromwell
