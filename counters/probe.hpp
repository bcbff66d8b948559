#pragma once
// `cromwell counters`: what this machine can count and why not; `--validate` runs known-answer
// kernels and marks each metric validated or suspicious here. `cromwell list metrics|events`.
#include <cstdio>

#include "counters/backend.hpp"

namespace cromwell {

int counters_probe(std::FILE* out, const CounterOptions& opt);
// Validates with `backend` ("sim" here, "perf" on hardware); returns 0 when nothing is suspicious.
int counters_validate(std::FILE* out, const std::string& backend, const CounterOptions& opt);
void list_metrics(std::FILE* out, const CounterOptions& opt);
void list_events(std::FILE* out, const CounterOptions& opt);

}  // namespace cromwell
