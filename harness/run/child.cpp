#include "harness/run/child.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "counters/known.hpp"
#include "counters/sim.hpp"
#include "harness/io/jsonl.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/process.hpp"
#include "harness/run/calls.hpp"
#include "harness/run/held.hpp"
#include "harness/run/measure.hpp"
#include "harness/run/phases.hpp"
#include "harness/run/prepare.hpp"

namespace cromwell {

namespace {
std::string g_child_executable;

std::string child_program() { return g_child_executable.empty() ? self_exe() : g_child_executable; }
}  // namespace

void set_child_executable(std::string path) { g_child_executable = std::move(path); }

std::vector<std::string> child_argv(const ChildTask& task, const MeasureOptions& opt) {
  return {child_program(), kChildCommand, encode_request({task, opt})};
}

ChildCommand child_command(const MeasureOptions& opt) {
  return [opt](const ChildTask& task) { return child_argv(task, opt); };
}

namespace {

// Moves the child's phases (its answer's second line) out of `child`, which keeps only the cost of
// having a child (its start, its exit): what it spent timing, checking, ... goes where it belongs.
void add_child_phases(const std::string& line) {
  const auto phases = nlohmann::json::parse(line, nullptr, false);
  if (!phases.is_object() || !phases.contains("phases_s")) return;
  for (std::size_t i = 0; i < kPhases; ++i) {
    const auto ph = static_cast<Phase>(i);
    const double sec = phases["phases_s"].value(phase_name(ph), 0.0);
    if (ph != Phase::child && sec > 0) phase_move(Phase::child, ph, static_cast<std::int64_t>(sec * 1e9));
  }
}

Record record_of_answer(const std::string& line, const Config& c) {
  Record r = record_from_json_line(line, kSchemaVersion, "the child's answer");
  if (!(r.config == c)) throw std::runtime_error(fmt::format("the child measured {}, not {}", r.config.key(), c.key()));
  return r;
}

ChildTask measure_task(const Config& c, bool time) {
  ChildTask task;
  task.kind = ChildTask::Kind::measure;
  task.target = c.key();
  task.time = time;
  return task;
}

}  // namespace

Record measure_in_child(const Config& c, const std::string& env_assignment, const MeasureOptions& opt, bool time) {
  const ProcessResult p = run_process(child_argv(measure_task(c, time), opt), {.env = {env_assignment}});
  const std::string line = p.out.substr(0, p.out.find('\n'));
  if (!p.ok() || line.empty())
    throw std::runtime_error(
        fmt::format("child process ({}) {}{}", env_assignment, p.describe(), line.empty() ? " and no result" : ""));
  Record r = record_of_answer(line, c);
  if (const std::size_t second = p.out.find('\n'); second != std::string::npos)
    add_child_phases(p.out.substr(second + 1));
  return r;
}

IsolatedMeasurer::IsolatedMeasurer(MeasureOptions opt, double timeout_s)
    : opt_(std::move(opt)), timeout_s_(timeout_s) {}
IsolatedMeasurer::~IsolatedMeasurer() = default;

Record IsolatedMeasurer::measure(const Config& c, const VariantEntry& v) {
  std::vector<std::string> env;
  if (v.child_env)
    if (auto e = v.child_env(c.params)) env.push_back(*e);
  Record r;
  r.config = c;
  try {
    if (worker_ && env != env_) worker_.reset();
    if (!worker_) {
      worker_ = std::make_unique<Coprocess>(std::vector<std::string>{child_program(), kChildCommand, "-"}, env);
      env_ = env;
    }
    std::optional<std::string> row;
    if (worker_->send(encode_request({measure_task(c, /*time=*/true), opt_}))) row = worker_->read_line(timeout_s_);
    if (!row) {
      const ProcessResult p = worker_->end();
      worker_.reset();
      throw std::runtime_error(fmt::format("isolated child process {} and no result", p.describe()));
    }
    r = record_of_answer(*row, c);
    if (auto phases = worker_->read_line(timeout_s_)) add_child_phases(*phases);
  } catch (const std::exception& e) {
    worker_.reset();  // a worker that answered out of turn serves no more configs
    r = Record{};
    r.config = c;
    r.status = Status::error;
    r.reason = e.what();
  }
  return r;
}

namespace {

Columns columns_for(const Config& c, const CounterBackend& backend) {
  Columns cols;
  for (const auto& [n, v] : c.shape.items) cols.dims.push_back(n);
  for (const auto& [n, v] : c.params.items) cols.params.push_back(n);
  cols.metrics = backend.columns();
  return cols;
}

// A worker serves many requests with the same options: one Measurer (and counter backend) for them.
const Measurer& measurer_for(const MeasureOptions& opt) {
  static std::string options;
  static std::unique_ptr<Measurer> m;
  const std::string encoded = encode_request({ChildTask{}, opt});
  if (!m || encoded != options) {
    m = std::make_unique<Measurer>(opt, /*in_child=*/true);
    options = encoded;
  }
  return *m;
}

Config resolve(const std::string& key) {
  Config c = parse_key(key);
  Registry::get().validate(c);
  return c;
}

}  // namespace

int serve_child(const ChildRequest& req, std::FILE* out) {
  set_cache_override(req.options.caches);
  const ChildTask& t = req.task;
  switch (t.kind) {
    case ChildTask::Kind::measure: {
      const Config c = resolve(t.target);
      const Measurer& m = measurer_for(req.options);
      const Record r = m.measure(c, *Registry::get().variant(c.id()), t.time);
      fmt::print(out, "{}\n", json_line(r, columns_of(columns_for(c, m.counters()))));
      fmt::print(out, "{}\n", phases_json().dump());  // where the child's time went
      return 0;
    }
    case ChildTask::Kind::calls: {
      const Config c = resolve(t.target);
      const CallsResult res = run_calls(c, *Registry::get().variant(c.id()), t.calls, t.check, req.options);
      fmt::print(out, "{}\n", res.summary(t.target));
      return res.check.ok ? 0 : 1;
    }
    case ChildTask::Kind::known: {
      const CacheModel model = parse_cache_model(req.options.counters.cache_model);
      run_known(t.target, {model.l2.size, model.l3.size}, /*simulate=*/true);
      return 0;
    }
    case ChildTask::Kind::repetition:
      fmt::print(out, "{}\n", serve_repetition(t, req.options));
      return 0;
    case ChildTask::Kind::describe: {
      const Measurer m(req.options, /*in_child=*/true);
      const CacheSizes& caches = machine_caches();
      nlohmann::ordered_json j;
      j["request"] = nlohmann::ordered_json::parse(encode_request(req));
      j["applied"] = {
          {"caches", {{"l1d", caches.l1d}, {"l2", caches.l2}, {"l3", caches.l3}, {"source", caches.source}}},
          {"cold_bytes", cold_bytes_or_default(req.options.cold_bytes)},
          {"counters_source", m.counters().source()},
          {"counters_scope", m.counters().scope()}};
      fmt::print(out, "{}\n", j.dump());
      return 0;
    }
  }
  return 2;
}

int serve_worker(std::FILE* in, std::FILE* out) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return 0;  // the parent is already gone
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) std::signal(sig, SIG_IGN);
  char* buf = nullptr;
  std::size_t cap = 0;
  int rc = 0;
  while (getline(&buf, &cap, in) > 0) {
    phases_reset();  // each answer carries the phases of its own request
    rc = serve_child(decode_request(buf), out);
    std::fflush(out);
  }
  std::free(buf);
  return rc;
}

}  // namespace cromwell
