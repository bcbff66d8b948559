#pragma once
// The progress of a sweep: done/total, rejected and failed counts and an estimate of the time
// left. On a terminal, one line kept under the rows as they scroll; otherwise (a log file, a
// Slurm job) a plain line every 30 seconds.
#include <cstdio>
#include <memory>

#include "harness/io/sink.hpp"

namespace cromwell {

// Wraps the terminal's sink (`rows`, may be null); `total` rows are expected, `to_run` of them
// measured (the rest: rejected, pruned, or already recorded), `done` already written by an
// earlier run of the same sweep.
std::unique_ptr<Sink> progress_sink(std::unique_ptr<Sink> rows, std::FILE* out, std::size_t total,
                                    std::size_t to_run, std::size_t done);

}  // namespace cromwell
