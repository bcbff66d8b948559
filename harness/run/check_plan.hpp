#pragma once
// Checking a whole plan without timing (cromwell check) on every CPU the process may use.
//
// Configs are independent when nothing is timed, so several checker threads take them in plan
// order, one at a time each; the records reach the sinks in plan order all the same (a record
// waits until every one before it is written), so the output does not depend on the threads.
//
// Why this is correct with the harness's pools: a kernel runs on pool_for(threads, pin), and a
// pool serves one caller at a time (Pool::run publishes one job; CallerPin re-pins the caller).
// Only a config that uses the one-thread unpinned pool runs beside others: that pool has no
// workers and no shared state — run() and parallel_for() call the function on the calling
// thread, barrier() returns at once, CallerPin does nothing — so any number of threads may use it
// at once, each on its own workspace. So does a config measured in a child process (its own
// environment): the child has its own pools. Every other config — more threads, any pinning, a
// peer library that runs its own threads and sets their number globally (OpenBLAS) — runs alone:
// its checker waits until the others have finished their configs, and they wait until it is done.
// The reference each check compares with is computed once per key even when two threads need it at
// the same moment (cached_reference, harness/core/registry.hpp).
#include <vector>

#include "harness/io/sink.hpp"
#include "harness/run/expand.hpp"
#include "harness/run/measure.hpp"
#include "harness/run/runner.hpp"

namespace cromwell {

// The CPUs this process may run on (its affinity mask), at least 1.
int available_cpus();

// Whether `c` may be checked while other configs are (see above).
bool checks_beside_others(const Config& c, const VariantEntry& v);

// Checks every config of `plan` as run_plan(plan, m, sinks, /*time=*/false) does, on up to
// `threads` threads (the caller and threads − 1 more); records reach every sink in plan order.
RunSummary check_plan(const Plan& plan, const Measurer& m, const std::vector<Sink*>& sinks, int threads);

}  // namespace cromwell
