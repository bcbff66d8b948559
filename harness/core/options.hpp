#pragma once
// What a measurement depends on besides its config, as plain data. The command line fills it, a
// child process receives all of it in one request (request.hpp), counter backends read their part.
#include <cstddef>
#include <cstdint>
#include <string>

namespace cromwell {

struct TimingOptions {
  int repetitions = 5;     // timed repetitions (compare: rounds)
  double min_time = 0.05;  // seconds per repetition
  // Each repetition followed by one of a calibration kernel of the config's bound type
  // (run/calibration.hpp), so that times of separate runs can be normalized (gate --normalize).
  bool calibrate = false;
  bool operator==(const TimingOptions&) const = default;
};

struct CounterOptions {
  std::string backend = "auto";      // auto | perf | sim | sw | none
  std::string groups_dir;            // event group files that replace or add to the built-in ones
  std::string cache_model = "zen3";  // sim: zen3, or l1d=32K/8,l2=512K/8,l3=32M/16
  long sim_calls = 1;                // sim: calls in the simulated region
  bool operator==(const CounterOptions&) const = default;
};

struct MeasureOptions {
  TimingOptions timing;
  std::uint64_t seed = 42;     // of the input data
  std::size_t cold_bytes = 0;  // workspace copies rotated with cache=cold; 0: four times the L3 in force
  std::string caches;          // cache sizes for constraints and cold copies ("l1d=32K,l2=512K,l3=32M"); "" = detect
  CounterOptions counters;
  bool operator==(const MeasureOptions&) const = default;
};

}  // namespace cromwell
