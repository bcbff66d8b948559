#pragma once
// What a sweep prints on the terminal.
#include <cstdio>
#include <memory>
#include <vector>

#include "harness/io/sink.hpp"

namespace cromwell {

// An aligned line per record, with an "unstable" marker (and its remedy, once) above 5 % err.
std::unique_ptr<Sink> console_sink(std::FILE* out);
// The best measured config per variant, shape and thread count (highest GFLOP/s, else GB/s, else
// lowest time), with its speed relative to the naive variant of its kernel at the same shape.
void print_best(std::FILE* out, const std::vector<Record>& records);

}  // namespace cromwell
