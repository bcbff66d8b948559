#pragma once
// Record: one result row. A failure is a record, never a crash of the sweep.
#include <optional>
#include <string>
#include <vector>

#include "harness/core/config.hpp"

namespace cromwell {

enum class Status { rejected, pruned, unsupported, failed, error, measured };
std::string_view to_string(Status);

// A counter value with its provenance: empty `value` means unavailable, and `reason` says why.
struct Metric {
  std::string name;
  std::optional<double> value;
  std::string reason;
};

struct Record {
  Config config;
  Status status = Status::measured;
  std::string reason;  // why rejected/pruned/unsupported/failed/error
  std::string note;    // facts about the row (peer library core, pinning caveat)
  std::string shard;   // "K/N" when a sharded sweep (--shard K/N) wrote the row, else empty
  int repetitions = 0;
  std::vector<double> samples_ns;  // per-repetition time per call
  std::optional<double> time_ns, time_ns_min, err_pct, gflops, gbps, steal_pct;
  // ns per call that the pool's threads spent spinning in waits during the timed loops, summed
  // over threads (Pool::spin_time_ns); empty when the row was not timed.
  std::optional<double> spin_ns;
  // Under the machine profile's roofline (roofline/bound.hpp): the fraction of the bound at the
  // row's threads, ISA and level, the fraction of the machine's best bound, and what bounds it —
  // or, when pct_peak is empty, why.
  std::optional<double> pct_peak, pct_machine;
  std::string bound;
  // With `--calibrate`: the calibration kernel whose repetitions alternated with the row's
  // (run/calibration.hpp) and its time per call after each of them, in order.
  std::string calib;
  std::vector<double> calib_ns;
  bool unstable = false;        // err_pct above the instability threshold
  std::string counters_source;  // "none", "sw", "perf:zen3", "sim:zen3"
  std::string counters_scope;   // what the counter values cover
  std::string counters_reason;  // why counter values are missing, and flags on those present
  std::vector<Metric> metrics;
};

// The distinct reasons of a row's metrics, joined with "; " (what counters_reason holds).
std::string reasons_of(const std::vector<Metric>& metrics);
Status parse_status(std::string_view text);  // throws std::invalid_argument naming the allowed values

// A row whose err% (run/stats.hpp: summarize) is above this is marked unstable.
constexpr double kUnstablePct = 5.0;

// "20.966 ms", "5.2 ns": a time in the unit that keeps 4 significant digits readable.
std::string human_time(double ns);

}  // namespace cromwell
