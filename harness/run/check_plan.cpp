#include "harness/run/check_plan.hpp"

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/run/phases.hpp"

namespace cromwell {

int available_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return std::max(1u, std::thread::hardware_concurrency());
  return std::max(1, CPU_COUNT(&set));
}

bool checks_beside_others(const Config& c, const VariantEntry& v) {
  if (v.child_env && v.child_env(c.params)) return true;  // its own process
  return c.axes.threads == 1 && c.axes.pin == "none" && v.uses_pool;
}

RunSummary check_plan(const Plan& plan, const Measurer& m, const std::vector<Sink*>& sinks, int threads) {
  const std::vector<PlannedConfig>& configs = plan.configs;
  const std::size_t n = configs.size();
  RunSummary s;
  auto count = [&](const Record& r) { s.add(r, /*keep=*/false); };
  auto check_one = [&](std::size_t i) {
    const PlannedConfig& pc = configs[i];
    if (pc.status != Status::measured) return not_run(pc);
    return m.measure(pc.config, *pc.variant, /*time=*/false);
  };
  // Whether config i must run alone; configs that are not checked run beside anything.
  auto alone = [&](std::size_t i) {
    return configs[i].status == Status::measured && !checks_beside_others(configs[i].config, *configs[i].variant);
  };

  std::mutex mu;
  std::condition_variable cv;
  std::size_t next = 0;     // the next config to take
  std::size_t written = 0;  // records written to the sinks, in plan order
  int running = 0;          // configs under way beside others
  bool exclusive = false;   // a config that runs alone is under way
  std::vector<std::optional<Record>> done(n);
  std::exception_ptr failure;  // from a sink

  auto work = [&] {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [&] { return next == n || failure || (!exclusive && (!alone(next) || running == 0)); });
      if (next == n || failure) return;
      const std::size_t i = next++;
      const bool solo = alone(i);
      if (solo)
        exclusive = true;
      else
        ++running;
      lock.unlock();
      Record r = check_one(i);
      lock.lock();
      if (solo)
        exclusive = false;
      else
        --running;
      done[i] = std::move(r);
      try {
        for (; written < n && done[written]; ++written) {
          for (Sink* k : sinks) k->write(*done[written]);
          count(*done[written]);
          done[written].reset();
        }
      } catch (...) {
        if (!failure) failure = std::current_exception();
      }
      cv.notify_all();
    }
  };

  {
    // The helpers' work is inside the caller's wall time: only the caller's timer counts.
    const PhaseTimer t(Phase::check);
    std::vector<std::thread> helpers;
    const int extra = static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(std::max(threads, 1)))) - 1;
    for (int h = 0; h < extra; ++h)
      helpers.emplace_back([&] {
        const PhaseMute mute;
        work();
      });
    {
      const PhaseMute mute;
      work();
    }
    for (auto& h : helpers) h.join();
  }
  if (failure) std::rethrow_exception(failure);
  for (Sink* k : sinks) k->finish();
  return s;
}

}  // namespace cromwell
