#pragma once
// What a sweep measures of its valid configs (the strategy) and what it minimizes or maximizes
// (the objective), as the spec file and the command line spell them:
//   grid        every config
//   random:N    N configs drawn without replacement (seeded: the same seed draws the same ones)
//   search:N    an adaptive search that measures at most N configs per (kernel, shape)
//   objective   "time_ns" (the default: minimized), "min:l3_miss_rate", "max:gflops"
#include <string>
#include <string_view>

namespace cromwell {

struct Strategy {
  enum class Kind { grid, random, search };
  Kind kind = Kind::grid;
  long trials = 0;           // random, search: the budget of measured configs
  std::string text() const;  // "grid", "random:200", "search:100"
  bool operator==(const Strategy&) const = default;
};

// Throws std::invalid_argument naming the text and the allowed forms.
Strategy parse_strategy(std::string_view text);

struct Objective {
  std::string metric = "time_ns";  // any real column of the results schema, or a counter metric
  bool maximize = false;
  std::string text() const;  // "time_ns", "max:gflops"
  bool operator==(const Objective&) const = default;
};

// "name" minimizes; "min:name" and "max:name" say the direction. Whether the metric exists is
// checked where the columns are known (the sweep), not here.
Objective parse_objective(std::string_view text);

}  // namespace cromwell
