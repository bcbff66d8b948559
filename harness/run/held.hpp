#pragma once
// The worker's side of an A/B gate (`gate --ab`): instances of one config held across requests, so
// that each side of the comparison is prepared once (allocation, check, warm-up, the pilot) and
// then times one repetition per request, alternating with the other side's process. Instances are
// kept per replica (a fresh allocation each: where pages land moves a cold GEMV by 2–5 %, which
// one instance would never average out; compare.hpp) and dropped when a request names another
// config.
#include <string>

#include "harness/core/request.hpp"

namespace cromwell {

// Carries out a `repetition` task and returns its answer, one JSON object:
//   {"key": …, "replica": r, "iterations": n, "ns_per_call": t}      a repetition was timed
//   {"key": …, "error": "…", "status": "failed" | "error"}            the config cannot be timed
// With task.calls 0 the worker chooses the iterations (the pilot of a sweep, for min_time) and
// says how many; the parent then asks for the same count every round.
std::string serve_repetition(const ChildTask& task, const MeasureOptions& opt);

}  // namespace cromwell
