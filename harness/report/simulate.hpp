#pragma once
// `report --simulate`: the best configuration of each variant measured again with the simulated
// caches (counters sim), so that a machine without hardware counters still gets L1/L2/L3 miss
// rates for the configurations that decide — the simulator takes seconds to a minute per config,
// too slow for a whole sweep. The simulated counters replace those of the rows of that config in
// the files read (their times stay the sweep's); the report says so.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "harness/core/options.hpp"
#include "harness/io/results.hpp"

namespace cromwell {

struct Simulated {
  std::size_t configs = 0;                     // best configurations simulated
  std::map<std::string, std::string> why_not;  // key → why it was not simulated
};

Simulated simulate_best(std::vector<ResultsFile>& files, MeasureOptions opt, std::FILE* progress);

}  // namespace cromwell
