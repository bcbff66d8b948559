#include "harness/run/measure.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "counters/backend.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/steal.hpp"

extern char** environ;

namespace cromwell {

std::size_t cold_bytes_or_default(std::size_t requested) {
  return requested ? requested : static_cast<std::size_t>(4 * machine_caches().l3);
}

namespace {

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error(fmt::format("readlink(/proc/self/exe): {}", std::strerror(errno)));
  return std::string(buf, n);
}

// Runs `cromwell _measure KEY ...` with `env_assignment` added to the environment and returns
// the record it prints.
Record measure_in_child(const Config& c, const std::string& env_assignment, const MeasureOptions& opt) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  std::vector<std::string> args{self_exe(),
                                "_measure",
                                c.key(),
                                "--repetitions",
                                std::to_string(opt.timing.repetitions),
                                "--min-time",
                                fmt::format("{}", opt.timing.min_time),
                                "--seed",
                                std::to_string(opt.seed),
                                "--cold-bytes",
                                std::to_string(cold_bytes_or_default(opt.cold_bytes)),
                                "--counters",
                                opt.counters_name};
  const std::string name = env_assignment.substr(0, env_assignment.find('='));
  std::vector<std::string> env{env_assignment};
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).substr(0, name.size() + 1) != name + "=") env.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error(fmt::format("posix_spawn({}): {}", argv[0], std::strerror(rc)));
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, n);
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    throw std::runtime_error(fmt::format("child process ({}) died with signal {} ({})", env_assignment,
                                         WTERMSIG(status), strsignal(WTERMSIG(status))));
  if (out.empty())
    throw std::runtime_error(
        fmt::format("child process ({}) exited with status {} and no result", env_assignment, WEXITSTATUS(status)));
  return decode_record(out, c);
}

}  // namespace

Record measure(const Config& c, const VariantEntry& v, const MeasureOptions& opt, bool time) {
  Record r;
  r.config = c;
  r.counters_source = "none";
  if (v.note) r.note = v.note(c.params, c.axes.threads);
  if (auto missing = missing_isa(v.isa); !missing.empty()) {
    r.status = Status::unsupported;
    r.reason = fmt::format("this CPU lacks {}", missing);
    return r;
  }
  try {
    if (v.child_env && !opt.in_child)
      if (auto env = v.child_env(c.params)) {
        Record child = measure_in_child(c, *env, opt);
        if (!time) child.samples_ns.clear();
        const Work w = Registry::get().kernel(c.kernel)->model(c.shape);
        summarize(child, w.flops, w.bytes);
        return child;
      }
    Pool& pool = pool_for(c.axes.threads, c.axes.pin);
    Pool::CallerPin pin(pool);
    InstanceOptions io;
    io.seed = opt.seed;
    io.align = static_cast<std::size_t>(c.axes.align);
    io.cold = c.axes.cache == "cold";
    io.cold_bytes = cold_bytes_or_default(opt.cold_bytes);
    auto inst = v.instantiate(c.shape, c.params, pool, io);
    if (Check ck = inst->check(); !ck.ok) {
      r.status = Status::failed;
      r.reason = ck.detail;
      return r;
    }
    if (!time) return r;
    // Warm-up: one call per workspace copy (faults in pages, trains predictors).
    for (std::size_t i = 0; i < inst->copies(); ++i) inst->call(i);
    const std::size_t copies = inst->copies();
    std::unique_ptr<CounterSession> session = opt.counters ? opt.counters->open(pool) : nullptr;
    TimedHooks hooks;
    if (session) hooks = {[&] { session->start(); }, [&](std::size_t calls) { session->stop(calls); }};
    const CpuTimes before = read_cpu_times();
    r.samples_ns = time_calls(
        c.key(), [&](std::size_t i) { inst->call(i % copies); }, opt.timing, hooks);
    r.steal_pct = steal_pct(before, read_cpu_times());
    const Work w = inst->work();
    summarize(r, w.flops, w.bytes);
    if (opt.counters) {
      r.counters_source = opt.counters->source();
      r.counters_scope = opt.counters->scope();
      if (session) r.metrics = session->finish();
      opt.counters->annotate(r);
    }
  } catch (const std::exception& e) {
    r.status = Status::error;
    r.reason = e.what();
  }
  return r;
}

Record calibrate(const Axes& axes, const MeasureOptions& opt) {
  Record r;
  r.config.kernel = "noop";
  r.config.variant = "forkjoin";
  r.config.axes = axes;
  r.config.axes.cache = "hot";
  r.config.axes.align = 0;
  r.counters_source = "none";
  r.note = "timer + fork-join cost of one empty pool.run(); a calibration row: no counters";
  try {
    Pool& pool = pool_for(axes.threads, axes.pin);
    Pool::CallerPin pin(pool);
    const auto noop = [](int) {};
    const CpuTimes before = read_cpu_times();
    r.samples_ns = time_calls(
        r.config.key(), [&](std::size_t) { pool.run(noop); }, opt.timing);
    r.steal_pct = steal_pct(before, read_cpu_times());
    summarize(r, 0, 0);
  } catch (const std::exception& e) {
    r.status = Status::error;
    r.reason = e.what();
  }
  return r;
}

std::string encode_record(const Record& r) {
  std::string s = fmt::format("status {}\nreason {}\nnote {}\n", to_string(r.status), escape_key_part(r.reason),
                              escape_key_part(r.note));
  if (r.steal_pct) s += fmt::format("steal {}\n", *r.steal_pct);
  for (double t : r.samples_ns) s += fmt::format("sample {}\n", t);
  s += fmt::format("counters {}\nscope {}\n", escape_key_part(r.counters_source), escape_key_part(r.counters_scope));
  for (const auto& m : r.metrics)
    s += fmt::format("metric {} {} {}\n", escape_key_part(m.name), m.value ? fmt::format("{}", *m.value) : "-",
                     escape_key_part(m.reason));
  return s;
}

Record decode_record(const std::string& text, const Config& c) {
  Record r;
  r.config = c;
  r.counters_source = "none";
  std::istringstream in(text);
  std::string line;
  bool have_status = false;
  while (std::getline(in, line)) {
    const std::size_t sp = line.find(' ');
    const std::string field = line.substr(0, sp);
    const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (field == "status") {
      have_status = true;
      for (Status s :
           {Status::rejected, Status::pruned, Status::unsupported, Status::failed, Status::error, Status::measured})
        if (to_string(s) == value) r.status = s;
    } else if (field == "reason")
      r.reason = unescape_key_part(value);
    else if (field == "note")
      r.note = unescape_key_part(value);
    else if (field == "steal")
      r.steal_pct = std::stod(value);
    else if (field == "sample")
      r.samples_ns.push_back(std::stod(value));
    else if (field == "counters")
      r.counters_source = unescape_key_part(value);
    else if (field == "scope")
      r.counters_scope = unescape_key_part(value);
    else if (field == "metric") {
      std::istringstream f(value);
      std::string name, v, reason;
      f >> name >> v;
      std::getline(f >> std::ws, reason);
      r.metrics.push_back({unescape_key_part(name), v == "-" ? std::nullopt : std::optional<double>(std::stod(v)),
                           unescape_key_part(reason)});
    }
  }
  if (!have_status) throw std::runtime_error("child process printed no record: " + text.substr(0, 200));
  return r;
}

}  // namespace cromwell
