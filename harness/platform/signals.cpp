#include "harness/platform/signals.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace cromwell {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
std::atomic<int> g_stop{0};
struct sigaction g_previous[std::size(kSignals)];

void on_signal(int sig) {
  int none = 0;
  if (g_stop.compare_exchange_strong(none, sig)) return;
  // A second signal: end now, as without the handler.
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop = 0;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // reads, writes and waits go on; the run looks at the flag between configs
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &sa, &g_previous[i]);
}

StopSignals::~StopSignals() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
}

int stop_requested() { return g_stop.load(std::memory_order_relaxed); }

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

}  // namespace cromwell
