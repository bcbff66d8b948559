#include "harness/run/expand.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "harness/platform/machine.hpp"
#include "harness/platform/text.hpp"
#include "harness/platform/topology.hpp"
#include "harness/run/prepare.hpp"

namespace cromwell {
namespace {

std::string gib(double bytes) { return fmt::format("{:.2f} GiB", bytes / double(1 << 30)); }

// The memory a config needs, from its kernel's compulsory bytes (each input and output once, about
// its workspace): the workspace, the cold copies, and the double-precision reference (at most twice
// the workspace). Empty when it fits in 90 % of what is available, else the reason.
std::string too_big(const KernelEntry& k, const Dims& shape, const std::string& cache, std::size_t cold_bytes,
                    const MemoryAvailable& m) {
  const double one = std::max(64.0, k.model(shape).bytes);
  const double copies = cache == "cold" ? std::clamp(std::ceil(double(cold_bytes) / one), 2.0, 65536.0) : 1.0;
  const double need = one * (copies + 2);
  if (m.bytes <= 0 || need <= 0.9 * double(m.bytes)) return "";
  return fmt::format(
      "needs about {} of memory ({} of workspace × {} {}, and the reference), more than 90 % of the {} available "
      "({})",
      gib(need), gib(one), copies, copies > 1 ? "cold copies" : "copy", gib(double(m.bytes)), m.source);
}

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// The shapes of one kernel: the --shape values that name only its dims (missing dims take the
// kernel's defaults), else its default (or awkward check) shapes.
std::vector<Dims> shapes_for(const KernelEntry& k, const std::vector<Dims>& given, bool check,
                             const std::string& preset) {
  std::vector<Dims> out;
  for (const auto& d : given) {
    bool mine = true;
    for (const auto& [n, v] : d.items) mine = mine && std::find(k.dims.begin(), k.dims.end(), n) != k.dims.end();
    if (mine) add_unique(out, k.normalize(d));
  }
  if (preset == "llm")
    for (const auto& d : k.llm_shapes) add_unique(out, d);
  if (given.empty() && preset.empty()) out = check ? k.check_shapes : k.default_shapes;
  return out;
}

}  // namespace

void check_request(const SweepRequest& req) {
  const Registry& reg = Registry::get();
  for (const auto& f : req.filters) {
    if (reg.select({f}).empty()) {
      const auto dot = f.find('.');
      if (dot != std::string::npos && f.find_first_of("*?[") == std::string::npos && !reg.kernel(f.substr(0, dot)))
        throw std::invalid_argument(
            fmt::format("unknown kernel '{}' in filter '{}' (cromwell list kernels)", f.substr(0, dot), f));
      throw std::invalid_argument(fmt::format("filter '{}' selects no variant (cromwell list variants)", f));
    }
  }
  const auto selected = reg.select(req.filters);
  if (selected.empty()) throw std::invalid_argument("no variant is registered");

  // Axes.
  if (req.threads.empty()) throw std::invalid_argument("--threads: empty list");
  for (int t : req.threads)
    if (t < 1)
      throw std::invalid_argument(fmt::format("--threads {}: a thread count must be ≥ 1", t));
    else if (t > 1024)
      throw std::invalid_argument(fmt::format("--threads {}: at most 1024", t));
  for (const auto& p : req.pins)
    if (!is_pin_policy(p)) parse_cpu_list(p);  // throws with the reason
  for (const auto& c : req.caches)
    if (c != "hot" && c != "cold") throw std::invalid_argument(fmt::format("--cache {}: allowed hot|cold", c));
  for (auto a : req.aligns)
    if (a < 0 || a > 63)
      throw std::invalid_argument(fmt::format("--align {}: allowed 0..63 (bytes from a 64-byte boundary)", a));

  // Shapes.
  if (!req.preset.empty() && req.preset != "llm")
    throw std::invalid_argument(
        fmt::format("--shapes {}: allowed llm (the engine's decode and prefill shapes)", req.preset));
  std::vector<Dims> given;
  for (const auto& s : req.shapes) given.push_back(parse_dims(s));
  std::set<std::string> kernels;
  for (const auto* v : selected) kernels.insert(v->kernel);
  for (const auto& d : given) {
    bool used = false;
    for (const auto& kname : kernels) {
      const auto& dims = reg.kernel(kname)->dims;
      bool mine = true;
      for (const auto& [n, v] : d.items) mine = mine && std::find(dims.begin(), dims.end(), n) != dims.end();
      used = used || mine;
    }
    if (!used) {
      std::string known;
      for (const auto& kname : kernels) {
        std::string ds;
        for (const auto& x : reg.kernel(kname)->dims) ds += (ds.empty() ? "" : ",") + x;
        known += fmt::format("{}{} ({})", known.empty() ? "" : "; ", kname, ds);
      }
      throw std::invalid_argument(
          fmt::format("--shape {}: no selected kernel has exactly these dimensions (selected: {})", d.str(), known));
    }
  }

  // --set: each name must belong to at least one selected variant; values must be valid for it.
  for (const auto& [name, list] : req.sets) {
    bool any = false;
    for (const auto* v : selected)
      if (const Param* p = v->space.find(name)) {
        any = true;
        try {
          expand_values(*p, list);
        } catch (const std::invalid_argument& e) {
          throw std::invalid_argument(fmt::format("--set {}={} for {}: {}", name, list, v->id(), e.what()));
        }
      }
    if (!any) {
      std::set<std::string> names;
      for (const auto* v : selected)
        for (const auto& p : v->space.params) names.insert(p.name);
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument(fmt::format(
          "--set {}: no selected variant has a parameter '{}' (selected: {}; their parameters: {})", name, name,
          join(
              [&] {
                std::vector<std::string> ids;
                for (const auto* v : selected) ids.push_back(v->id());
                return ids;
              }(),
              ", "),
          known.empty() ? "none" : known));
    }
  }
}

Plan expand(const SweepRequest& req) {
  check_request(req);
  const Registry& reg = Registry::get();
  const auto selected = reg.select(req.filters);
  std::vector<Dims> given;
  for (const auto& s : req.shapes) given.push_back(parse_dims(s));

  Plan plan;
  const MemoryAvailable memory = memory_available();
  const std::size_t cold_bytes = cold_bytes_or_default(req.cold_bytes);
  const Topology& topo = machine_topology();
  const int cpus = static_cast<int>(topo.pus.size());
  for (const auto* v : selected) {
    const KernelEntry& k = *reg.kernel(v->kernel);
    for (const auto& d : k.dims) add_unique(plan.columns.dims, d);
    for (const auto& p : v->space.params) add_unique(plan.columns.params, p.name);
    std::vector<std::vector<std::string>> candidates;
    for (const auto& p : v->space.params) {
      std::vector<std::string> values = p.sweep;
      for (const auto& [name, list] : req.sets)
        if (name == p.name) values = expand_values(p, list);
      candidates.push_back(values);
    }
    const auto points = v->space.grid(candidates);
    for (const auto& shape : shapes_for(k, given, req.check_shapes, req.preset))
      for (const auto& point : points)
        for (int threads : req.threads)
          for (const auto& pin : req.pins)
            for (const auto& cache : req.caches)
              for (auto align : req.aligns) {
                PlannedConfig pc;
                pc.variant = v;
                pc.config = Config{v->kernel, v->name, shape, point, Axes{threads, pin, cache, align}};
                if (auto why = v->space.violation(point, shape, machine_caches(), Constraint::Kind::validity);
                    !why.empty()) {
                  pc.status = Status::rejected;
                  pc.reason = why;
                } else if (auto why = too_big(k, shape, cache, cold_bytes, memory); !why.empty()) {
                  pc.status = Status::rejected;
                  pc.reason = why;
                } else if (pin != "none" && [&] {
                             try {
                               pin_cpus(topo, pin, threads);
                               return false;
                             } catch (const std::invalid_argument& e) {
                               pc.reason = e.what();
                               return true;
                             }
                           }()) {
                  pc.status = Status::rejected;
                } else if (auto h = v->space.violation(point, shape, machine_caches(), Constraint::Kind::heuristic);
                           !h.empty() && !req.no_prune) {
                  pc.status = Status::pruned;
                  pc.reason = h + " (--no-prune runs it anyway)";
                }
                if (pc.status == Status::measured) {
                  if (threads > cpus)
                    add_unique(plan.notes, fmt::format("threads={} exceeds the {} CPUs this process may use: "
                                                       "threads share CPUs and timings suffer",
                                                       threads, cpus));
                }
                plan.configs.push_back(std::move(pc));
              }
  }
  plan.calibrations = calibrations_of(plan.configs);
  return plan;
}

std::vector<Axes> calibrations_of(const std::vector<PlannedConfig>& configs) {
  std::vector<Axes> out;
  for (const auto& pc : configs)
    if (pc.status == Status::measured) add_unique(out, Axes{pc.config.axes.threads, pc.config.axes.pin, "hot", 0});
  return out;
}

std::vector<std::string> split_pins(const std::string& text) {
  const auto items = split(text, ',');
  bool all_policies = true;
  for (const auto& i : items) all_policies = all_policies && is_pin_policy(i);
  return all_policies ? items : std::vector<std::string>{text};
}

SweepRequest default_sweep() {
  SweepRequest r;
  r.filters = {"gemm.*"};
  r.shapes = {"m:512,n:512,k:512"};
  r.threads = {1, 2};
  // A small grid that still shows each kind of row: mc=168 suits both micro-tiles (6 and 14
  // rows), mc=256 is rejected (not a multiple of MR), kc=512 is pruned on a 32 KiB L1D, and the
  // prefetch variants run with and without prefetching.
  r.sets = {{"tile", "64,256"}, {"mc", "168,256"}, {"kc", "256,512"}, {"nc", "4096"},
            {"pf_dist", "0,8"}, {"pf_hint", "t0"}, {"pf_c", "128"}};
  return r;
}

}  // namespace cromwell
