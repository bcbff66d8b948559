// --counters sim: callgrind's cache simulation of one config in a child process,
//   valgrind --tool=callgrind --cache-sim=yes --collect-atstart=no --I1 --D1 --LL <child command>
// where the child (a ChildTask of kind `calls`, started through the ChildCommand the caller
// supplies) prepares the config, warms every workspace copy, then collects exactly N calls. Callgrind simulates two
// levels, so two passes give three: LL = L2, then LL = L3. The simulation is single-threaded, has
// no hardware prefetcher, ignores software prefetch instructions and treats non-temporal stores as
// ordinary stores.
#include <sys/wait.h>
#include <unistd.h>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "counters/perf_backend.hpp"
#include "counters/sim.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/process.hpp"

namespace cromwell {
namespace {

Level parse_level(const std::string& spec, const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw std::invalid_argument(fmt::format("--cache-model {}: '{}' is not size/ways (example: 32K/8)", spec, text));
  Level l{parse_bytes(text.substr(0, slash)), 0};
  try {
    l.assoc = std::stoll(text.substr(slash + 1));
  } catch (const std::exception&) {
    l.assoc = 0;
  }
  if (l.assoc < 1 || l.size < 64 * l.assoc)
    throw std::invalid_argument(fmt::format("--cache-model {}: '{}' needs ways ≥ 1 and size ≥ 64·ways", spec, text));
  const std::int64_t sets = l.size / (64 * l.assoc);
  if (sets * 64 * l.assoc != l.size || (sets & (sets - 1)) != 0)
    throw std::invalid_argument(fmt::format(
        "--cache-model {}: '{}' gives {} sets of 64-byte lines; callgrind needs a power of two", spec, text, sets));
  return l;
}

}  // namespace

CacheModel parse_cache_model(const std::string& spec) {
  if (spec == "zen3") return {"zen3", {32 << 10, 8}, {512 << 10, 8}, {32 << 20, 16}};
  CacheModel m{"custom", {}, {}, {}};
  std::map<std::string, Level> levels;
  std::stringstream in(spec);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto eq = part.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(
          fmt::format("--cache-model {}: expected zen3 or l1d=32K/8,l2=512K/8,l3=32M/16", spec));
    levels[part.substr(0, eq)] = parse_level(spec, part.substr(eq + 1));
  }
  for (const char* l : {"l1d", "l2", "l3"})
    if (!levels.count(l))
      throw std::invalid_argument(
          fmt::format("--cache-model {}: missing {} (allowed: zen3, or l1d=…,l2=…,l3=…)", spec, l));
  m.l1d = levels["l1d"];
  m.l2 = levels["l2"];
  m.l3 = levels["l3"];
  return m;
}

namespace {

std::string level_arg(const Level& l) { return fmt::format("{},{},64", l.size, l.assoc); }

}  // namespace

bool have_valgrind() { return std::system("valgrind --version >/dev/null 2>&1") == 0; }

std::string valgrind_version() {
  try {
    std::string v = run_process({"valgrind", "--version"}).out;
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    return v;
  } catch (const std::exception&) {
    return "";
  }
}

std::map<std::string, double> callgrind_pass(const std::vector<std::string>& command, const CacheModel& m,
                                             const Level& ll) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string out = (dir / fmt::format("cromwell-sim-{}-{}.out", getpid(), ll.size)).string();
  const std::string err = out + ".log";
  std::vector<std::string> args{"valgrind",
                                "--tool=callgrind",
                                "--cache-sim=yes",
                                "--collect-atstart=no",
                                "--I1=" + level_arg(m.l1d),
                                "--D1=" + level_arg(m.l1d),
                                "--LL=" + level_arg(ll),
                                "--callgrind-out-file=" + out};
  args.insert(args.end(), command.begin(), command.end());
  const ProcessResult run = run_process(args, {.output_file = err});
  std::ifstream log(err);
  std::string line, last;
  while (std::getline(log, line))
    if (!line.empty() && line.rfind("==", 0) != 0) last = line;
  std::filesystem::remove(err);
  if (!run.ok()) {
    std::filesystem::remove(out);
    throw std::runtime_error(fmt::format("the simulated run failed ({})", last.empty() ? "no message" : last));
  }
  std::ifstream in(out);
  std::vector<std::string> names;
  std::map<std::string, double> counts;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string head;
    f >> head;
    if (head == "events:") {
      for (std::string n; f >> n;) names.push_back(n);
    } else if (head == "summary:" || head == "totals:") {
      double v = 0;
      for (std::size_t i = 0; i < names.size(); ++i) counts[names[i]] = (f >> v) ? v : 0.0;  // trailing zeros omitted
    }
  }
  std::filesystem::remove(out);
  if (names.empty()) throw std::runtime_error("callgrind wrote no events");
  return counts;
}

namespace {

class SimBackend final : public CounterBackend {
 public:
  SimBackend(const CounterOptions& opt, ChildCommand child)
      : model_(parse_cache_model(opt.cache_model)), calls_(opt.sim_calls), child_(std::move(child)) {
    if (calls_ < 1) throw std::invalid_argument(fmt::format("--sim-calls {}: must be ≥ 1", calls_));
    if (!have_valgrind())
      throw std::invalid_argument(
          "--counters sim needs valgrind, which is not installed (scripts/bootstrap installs it)");
  }
  std::string source() const override { return "sim:" + model_.name; }
  std::string scope() const override {
    return fmt::format(
        "simulated (callgrind): L1D {} KiB/{}-way, L2 {} KiB/{}-way, L3 {} MiB/{}-way, 64-byte lines, private "
        "inclusive "
        "LRU on virtual addresses, one thread, per call over {} call(s) after a warm-up; every miss is a line brought "
        "from beyond that level: no hardware prefetcher, software prefetches ignored, non-temporal stores simulated as "
        "ordinary stores; no cycles",
        model_.l1d.size >> 10, model_.l1d.assoc, model_.l2.size >> 10, model_.l2.assoc, model_.l3.size >> 20,
        model_.l3.assoc, calls_);
  }
  std::vector<std::string> columns() const override { return canonical_counter_columns(); }
  void annotate(Record& r) override {
    if (r.status != Status::measured) return;
    r.counters_source = source();
    auto all_missing = [&](const std::string& why) {
      r.metrics.clear();
      for (const auto& c : columns()) r.metrics.push_back({c, std::nullopt, why});
    };
    if (r.config.axes.threads > 1)
      return all_missing(fmt::format("simulation is single-threaded (threads={})", r.config.axes.threads));
    std::map<std::string, double> l2, l3;
    try {
      ChildTask task;
      task.kind = ChildTask::Kind::calls;
      task.target = r.config.key();
      task.calls = calls_;
      task.check = false;
      const auto command = child_(task);
      l2 = callgrind_pass(command, model_, model_.l2);
      l3 = callgrind_pass(command, model_, model_.l3);
    } catch (const std::exception& e) {
      return all_missing(e.what());
    }
    const double n = double(calls_);
    const double ir = l2["Ir"] / n, accesses = (l2["Dr"] + l2["Dw"]) / n, l1 = (l2["D1mr"] + l2["D1mw"]) / n,
                 l2m = (l2["DLmr"] + l2["DLmw"]) / n, l3m = (l3["DLmr"] + l3["DLmw"]) / n;
    auto ratio = [](double a, double b) { return b > 0 ? std::optional<double>(a / b) : std::nullopt; };
    const std::string no_cycles = "the simulator counts no cycles";
    std::map<std::string, std::optional<double>> v = {{"instructions", ir},
                                                      {"l1d_misses", l1},
                                                      {"l2_misses", l2m},
                                                      {"l3_accesses", l2m},
                                                      {"l3_misses", l3m},
                                                      {"dram_fills", l3m},
                                                      {"l1d_miss_rate", ratio(l1, accesses)},
                                                      {"l2_miss_rate", ratio(l2m, l1)},
                                                      {"l3_miss_rate", ratio(l3m, l2m)},
                                                      {"l1d_mpki", ratio(1000 * l1, ir)},
                                                      {"l2_mpki", ratio(1000 * l2m, ir)},
                                                      {"l3_mpki", ratio(1000 * l3m, ir)}};
    r.metrics.clear();
    for (const auto& c : columns()) {
      if (c == "cycles" || c == "ipc") {
        r.metrics.push_back({c, std::nullopt, no_cycles});
        continue;
      }
      const auto it = v.find(c);
      const bool have = it != v.end() && it->second;
      r.metrics.push_back({c, have ? it->second : std::nullopt, have ? "" : "no accesses at that level"});
    }
  }

 private:
  CacheModel model_;
  long calls_;
  ChildCommand child_;
};

}  // namespace

std::unique_ptr<CounterBackend> make_sim_backend(const CounterOptions& opt, ChildCommand child) {
  return std::make_unique<SimBackend>(opt, std::move(child));
}

}  // namespace cromwell
