#pragma once
// Option groups that several commands share, each a small type that declares its options on a
// command and turns what was given into the harness's plain data. An option set by the user is told
// from its default by whether it was given (CLI11's count), never by its value. Parsing text into
// numbers happens here; checking ranges and names happens once, where the values are used
// (expansion, measurement, counter backends).
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/core/options.hpp"
#include "harness/run/expand.hpp"

namespace cromwell::cli {

// Which configs: filters, --set, --shape, --shapes, --no-prune, --caches.
struct SelectionOptions {
  std::vector<std::string> filters, sets, shapes;
  std::string preset;
  bool no_prune = false;
  std::string caches;  // cache sizes for constraints (applied to the whole run)
  void add(CLI::App& app);
  bool chooses_configs() const;  // filters, --set, --shape or --shapes given
  void fill(SweepRequest& r) const;
};

// The harness's axes: --threads, --pin, --cache, --align.
struct AxesOptions {
  std::vector<std::string> threads, pins, caches, aligns;
  CLI::Option *threads_opt = nullptr, *pins_opt = nullptr, *caches_opt = nullptr, *aligns_opt = nullptr;
  void add(CLI::App& app);
  // Replaces the request's axes with those given (all of them when `given_only` is false: the
  // defaults then apply to the rest).
  void fill(SweepRequest& r, bool given_only) const;
};

// --repetitions and --min-time (compare: rounds and seconds per measurement).
struct TimingGroup {
  TimingOptions values;
  CLI::Option *repetitions_opt = nullptr, *min_time_opt = nullptr, *calibrate_opt = nullptr;
  void add(CLI::App& app, const std::string& repetitions_help, const std::string& min_time_help);
  void add_calibrate(CLI::App& app);  // --calibrate (sweep)
};

// --seed and --cold-bytes: the input data and the cold-cache copies.
struct InputOptions {
  std::uint64_t seed = MeasureOptions{}.seed;
  std::string cold_bytes;
  void add(CLI::App& app);
  void fill(MeasureOptions& m) const;
};

// --counters, --cache-model, --sim-calls, --groups.
struct CounterGroup {
  CounterOptions values;
  CLI::Option* backend_opt = nullptr;
  void add(CLI::App& app, bool with_backend = true);
};

}  // namespace cromwell::cli
