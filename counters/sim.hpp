#pragma once
// The simulated cache (callgrind) used by --counters sim and by `cromwell counters --validate`.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cromwell {

struct Level {
  std::int64_t size, assoc;  // bytes, ways; 64-byte lines
};
struct CacheModel {
  std::string name;  // zen3 or custom
  Level l1d, l2, l3;
};

// "zen3" or "l1d=32K/8,l2=512K/8,l3=32M/16"; throws std::invalid_argument naming the problem.
CacheModel parse_cache_model(const std::string& spec);
bool have_valgrind();
// `valgrind --version` (valgrind-3.19.0), or "" when there is none.
std::string valgrind_version();
// Runs `command` under callgrind with L1D = model.l1d and last level = `ll`; returns the counts of
// its collected region by callgrind event name (Ir, Dr, Dw, D1mr, D1mw, DLmr, DLmw, ...).
std::map<std::string, double> callgrind_pass(const std::vector<std::string>& command, const CacheModel& model,
                                             const Level& ll);

}  // namespace cromwell
