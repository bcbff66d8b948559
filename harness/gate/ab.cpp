#include "harness/gate/ab.hpp"

#include <sched.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/core/request.hpp"
#include "harness/platform/process.hpp"
#include "harness/platform/text.hpp"
#include "harness/run/compare.hpp"
#include "harness/run/stats.hpp"

namespace cromwell {
namespace {

using Clock = std::chrono::steady_clock;

// One side: a worker process of one binary, and the iteration count it chose for the config.
struct Side {
  std::string name, binary;
  std::unique_ptr<Coprocess> worker;
  long iterations = 0;

  void start() {
    worker = std::make_unique<Coprocess>(std::vector<std::string>{binary, "_child", "-"}, std::vector<std::string>{});
  }

  // One repetition of `key` on instance `replica`: ns per call, or the reason there is none.
  std::optional<double> repetition(const std::string& key, int replica, const AbOptions& opt, std::string& why) {
    if (!worker) start();
    ChildTask task;
    task.kind = ChildTask::Kind::repetition;
    task.target = key;
    task.calls = iterations;
    task.replica = replica;
    std::optional<std::string> line;
    if (worker->send(encode_request({task, opt.measure}))) line = worker->read_line(opt.timeout_s);
    if (!line) {
      const ProcessResult p = worker->end();
      worker.reset();
      why = fmt::format("{} ({}): the worker {} without an answer", name, binary, p.describe());
      return std::nullopt;
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(*line);
    } catch (const nlohmann::json::exception&) {
      why = fmt::format("{} ({}): an answer that is not JSON: {}", name, binary, *line);
      return std::nullopt;
    }
    if (j.contains("error")) {
      why = fmt::format("{} ({}): {}: {}", name, binary, j.value("status", "error"), j.value("error", ""));
      return std::nullopt;
    }
    if (!j.contains("ns_per_call") || !j["ns_per_call"].is_number()) {
      why = fmt::format("{} ({}): an answer without ns_per_call: {} (does this binary serve `_child` repetitions?)",
                        name, binary, *line);
      return std::nullopt;
    }
    iterations = j.value("iterations", 1L);
    return j["ns_per_call"].get<double>();
  }
};

AbConfig run_config(const std::string& key, Side& old_side, Side& new_side, const AbOptions& opt) {
  AbConfig r;
  r.key = key;
  old_side.iterations = new_side.iterations = 0;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  auto once = [&](Side& s, int replica) {
    std::string why;
    const auto ns = s.repetition(key, replica, opt, why);
    if (!ns) {
      r.error = why;
      r.failed_side = s.name;
    }
    return ns;
  };
  std::set<int> prepared;
  for (int round = 0;; ++round) {
    const int replica = static_cast<int>(replica_of(static_cast<std::size_t>(round), kReplicas));
    // A replica's first use prepares it on both sides (allocation, check, warm-up, the pilot) with
    // one repetition that is not kept, new side first: the round that follows starts with the old
    // side, as after any reverse round, so neither side's kept repetitions meet a preparation of
    // its own that the other's do not.
    if (prepared.insert(replica).second) {
      const bool new_ok = once(new_side, replica).has_value();
      const std::string new_error = r.error;
      const bool old_ok = once(old_side, replica).has_value();
      if (!new_ok || !old_ok) {
        r.failed_side = !old_ok && !new_ok ? "both" : !new_ok ? "new" : "old";
        if (!new_ok) r.error = new_error;
        break;
      }
    }
    Side* order[2] = {&old_side, &new_side};
    if (round % 2) std::swap(order[0], order[1]);
    bool failed = false;
    for (Side* s : order) {
      const auto ns = once(*s, replica);
      if (!ns) {
        failed = true;
        break;
      }
      (s == &old_side ? r.old_ns : r.new_ns).push_back(*ns);
    }
    if (failed) break;
    const auto rounds = static_cast<int>(r.old_ns.size());
    if (rounds % 2 || rounds < static_cast<int>(kMinRounds)) continue;
    r.settled = rounds >= opt.min_rounds && settled(paired_estimate(log_ratios(r.new_ns, r.old_ns)), opt.rule);
    if (r.settled || elapsed() >= opt.budget_s) break;
  }
  r.seconds = elapsed();
  return r;
}

// The config as both sides time it: unpinned threads are pinned to the same CPUs in both workers
// (the last `threads` CPUs this process may use). Left to the scheduler, each worker settled on a
// CPU of its own, and the vCPUs of a shared host differ: same binary against itself, GEMM 256³
// came out 3–6 % apart in 3 of 5 runs; pinned to one CPU, 6 of 6 agreed.
Config on_same_cpus(Config c) {
  if (c.axes.pin != "none") return c;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return c;
  std::vector<int> cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  if (static_cast<int>(cpus.size()) < c.axes.threads) return c;
  std::vector<std::string> chosen;
  for (auto i = cpus.size() - static_cast<std::size_t>(c.axes.threads); i < cpus.size(); ++i)
    chosen.push_back(std::to_string(cpus[i]));
  c.axes.pin = join(chosen, ",");
  return c;
}

}  // namespace

AbRun gate_ab(const std::vector<Config>& configs, const AbOptions& opt,
              const std::function<void(const AbConfig&)>& progress) {
  Side old_side{"old", opt.old_binary, nullptr}, new_side{"new", opt.new_binary, nullptr};
  for (Side* s : {&old_side, &new_side}) try {
      s->start();
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("--ab {}: cannot start it: {}", s->binary, e.what()));
    }
  AbRun run;
  run.gate.baseline_path = opt.old_binary;
  run.gate.candidate_path = opt.new_binary;
  run.gate.options.time = opt.rule;
  run.gate.interleaved = true;
  std::vector<LogEstimate> slowdowns;
  std::vector<std::size_t> lines;
  for (const auto& c : configs) {
    const Config timed = on_same_cpus(c);
    AbConfig r = run_config(timed.key(), old_side, new_side, opt);
    r.key = c.key();
    if (progress) progress(r);
    GateLine l;
    l.key = r.key;
    l.metric = "time";
    l.gating = true;
    if (!r.error.empty()) {
      // The new side failing (a wrong result, a crash) where the old one ran is a regression.
      const bool new_broke = r.failed_side == "new";
      l.metric = "status";
      l.decision = new_broke ? Decision::regressed : Decision::inconclusive;
      l.gating = new_broke;
      l.note = r.error;
      run.gate.lines.push_back(l);
      continue;
    }
    ++run.gate.overlap;
    l.baseline = median(r.old_ns);
    l.candidate = median(r.new_ns);
    l.note = fmt::format("{} rounds in {:.1f} s{}{}", r.old_ns.size(), r.seconds, r.settled ? "" : ", budget spent",
                         timed.axes.pin == c.axes.pin ? "" : "; both sides on CPU(s) " + timed.axes.pin);
    slowdowns.push_back(paired_estimate(log_ratios(r.new_ns, r.old_ns)));
    lines.push_back(run.gate.lines.size());
    run.gate.lines.push_back(l);
    run.configs.push_back(std::move(r));
  }
  const auto decided = decide_times(slowdowns, opt.rule);
  for (std::size_t i = 0; i < decided.size(); ++i) {
    GateLine& l = run.gate.lines[lines[i]];
    l.time = decided[i];
    l.decision = decided[i].decision;
    if (l.decision == Decision::inconclusive && decided[i].more_rounds > 0)
      l.note += fmt::format("; about {:.0f}× the rounds (a --budget that much longer) would settle it",
                            std::ceil(decided[i].more_rounds));
  }
  sort_lines(run.gate);
  return run;
}

}  // namespace cromwell
