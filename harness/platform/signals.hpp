#pragma once
// Stopping a long run cleanly. While a StopSignals lives, SIGINT, SIGTERM, SIGHUP and SIGUSR1 (what
// Slurm sends before a time limit with --signal) only record that a stop was asked: the run
// finishes the config in flight, writes its summary and exits non-zero. A second signal ends the
// process at once, as the signal would have without the handler.
#include <string>

namespace cromwell {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

// The first stop signal received while a StopSignals lived, else 0.
int stop_requested();
// "SIGTERM"
std::string signal_name(int sig);

}  // namespace cromwell
