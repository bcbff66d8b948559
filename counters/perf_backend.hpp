#pragma once
// Constructors of the backends, for make_backend and for tests that inject the system call.
#include <memory>
#include <string>

#include "counters/backend.hpp"
#include "counters/groups.hpp"
#include "counters/perf_events.hpp"

namespace cromwell {

std::unique_ptr<CounterBackend> make_perf_backend(const Pmu& pmu, const std::string& user_dir, PerfSysPtr sys);
std::unique_ptr<CounterBackend> make_software_backend(PerfSysPtr sys);
std::unique_ptr<CounterBackend> make_sim_backend(const CounterOptions& opt, ChildCommand child);

}  // namespace cromwell
