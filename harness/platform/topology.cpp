// Topology from hwloc 2.x and the pin policies of topology.hpp (defined there and in
// docs/pinning.md). Everything here works on logical indexes (hwloc's order: the SMT siblings of
// a core are adjacent, cores of one L3 are adjacent); only the result is in OS cpu numbers.
#include "harness/platform/topology.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>
#include <hwloc.h>

namespace cromwell {
namespace {

constexpr int kMaxCpu = 65535;  // a cpu number above this in a list is a typo, not a machine

constexpr std::string_view kPolicies = "none, compact, scatter, cores, ccx";

struct TopoDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using TopoPtr = std::unique_ptr<hwloc_topology, TopoDeleter>;

struct BitmapDeleter {
  void operator()(hwloc_bitmap_s* b) const { hwloc_bitmap_free(b); }
};
using BitmapPtr = std::unique_ptr<hwloc_bitmap_s, BitmapDeleter>;

int logical(hwloc_obj_t o) { return static_cast<int>(o->logical_index); }

Topology from_hwloc(hwloc_topology_t t) {
  Topology topo;
  const int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
  const int numa_count = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
  std::set<int> cores, l3s, numas, packages;
  int coreless = 0;  // PUs without a Core object (some VMs, synthetic "pu:N"): each is its own core
  const int core_objects = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, static_cast<unsigned>(i));
    Pu p;
    p.os_index = static_cast<int>(pu->os_index);
    if (hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu)) {
      p.core = logical(core);
      // Rank among the PUs of the core that we may use (the tree holds only those).
      for (hwloc_obj_t s = hwloc_get_next_obj_inside_cpuset_by_type(t, core->cpuset, HWLOC_OBJ_PU, nullptr);
           s && s != pu; s = hwloc_get_next_obj_inside_cpuset_by_type(t, core->cpuset, HWLOC_OBJ_PU, s))
        ++p.smt;
    } else {
      p.core = core_objects + coreless++;
    }
    if (hwloc_obj_t l3 = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_L3CACHE, pu)) {
      p.l3 = logical(l3);
      l3s.insert(p.l3);
    }
    // NUMA nodes hang off the tree as memory children in hwloc 2: take the first node (in
    // logical order) whose cpuset holds this PU.
    for (int k = 0; k < numa_count; ++k) {
      hwloc_obj_t node = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(k));
      if (node->cpuset && hwloc_bitmap_isset(node->cpuset, pu->os_index)) {
        p.numa = logical(node);
        break;
      }
    }
    if (hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu)) packages.insert(logical(pkg));
    cores.insert(p.core);
    numas.insert(p.numa);
    topo.pus.push_back(p);
  }
  topo.cores = static_cast<int>(cores.size());
  topo.l3_domains = static_cast<int>(l3s.size());
  topo.numa_nodes = static_cast<int>(numas.size());
  topo.packages = std::max(static_cast<int>(packages.size()), n > 0 ? 1 : 0);
  return topo;
}

TopoPtr new_topology() {
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0)
    throw std::runtime_error(fmt::format("hwloc_topology_init: {}", std::strerror(errno)));
  return TopoPtr(t);
}

TopoPtr load_machine() {
  TopoPtr t = new_topology();
  // Only the CPUs this process may run on (taskset, cgroup cpusets, Slurm bindings). Never rebind
  // threads during discovery: pools may already be running.
  const unsigned long flags = HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM | HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING |
                              HWLOC_TOPOLOGY_FLAG_DONT_CHANGE_BINDING;
  const bool restricted_by_flag = hwloc_topology_set_flags(t.get(), flags) == 0;
  if (hwloc_topology_load(t.get()) != 0)
    throw std::runtime_error(fmt::format("hwloc_topology_load: {}", std::strerror(errno)));
  if (!restricted_by_flag) {
    BitmapPtr allowed(hwloc_bitmap_alloc());
    if (allowed && hwloc_get_cpubind(t.get(), allowed.get(), HWLOC_CPUBIND_PROCESS) == 0 &&
        !hwloc_bitmap_iszero(allowed.get()))
      if (hwloc_topology_restrict(t.get(), allowed.get(), 0) != 0)
        throw std::runtime_error(fmt::format("hwloc_topology_restrict: {}", std::strerror(errno)));
  }
  return t;
}

// "0-3,8,10-11" for the cpus a process may use, for error messages.
std::string cpu_ranges(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += fmt::format("{}{}", out.empty() ? "" : ",", cpus[i]);
    if (j > i) out += fmt::format("-{}", cpus[j]);
    i = j + 1;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Positions in topo.pus in the order a policy hands them to threads 0, 1, 2, ...
std::vector<std::size_t> policy_order(const Topology& topo, std::string_view pin) {
  const auto& pus = topo.pus;
  std::vector<std::size_t> order(pus.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (pin == "compact") return order;
  if (pin == "cores") {
    std::erase_if(order, [&](std::size_t i) { return pus[i].smt != 0; });
    return order;
  }
  // scatter and ccx: L3 domain d (dense), rank r of the core inside its domain, SMT rank s.
  std::map<int, int> domain;                  // l3 logical index -> dense domain
  std::map<int, std::set<int>> domain_cores;  // dense domain -> core logical indexes
  for (const auto& p : pus) domain.emplace(p.l3, 0);
  int next = 0;
  for (auto& [l3, d] : domain) d = next++;
  for (const auto& p : pus) domain_cores[domain[p.l3]].insert(p.core);
  auto key = [&](std::size_t i) {
    const Pu& p = pus[i];
    const int d = domain[p.l3];
    const auto& cs = domain_cores[d];
    const int r = static_cast<int>(std::distance(cs.begin(), cs.find(p.core)));
    // ccx: fill a domain before the next; scatter: deal cores round-robin over the domains.
    // Either way an SMT sibling comes only once every core has a thread.
    return pin == "ccx" ? std::make_tuple(p.smt, d, r, i) : std::make_tuple(p.smt, r, d, i);
  };
  std::vector<std::tuple<int, int, int, std::size_t>> keyed;
  for (std::size_t i : order) keyed.push_back(key(i));
  std::sort(keyed.begin(), keyed.end());
  for (std::size_t k = 0; k < keyed.size(); ++k) order[k] = std::get<3>(keyed[k]);
  return order;
}

}  // namespace

std::string Topology::describe() const {
  auto count = [](int n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  return fmt::format("{}, {}, {}, {}, {}", count(packages, "package", "packages"),
                     count(numa_nodes, "NUMA node", "NUMA nodes"),
                     l3_domains == 0 ? std::string("no L3") : fmt::format("{} L3", l3_domains),
                     count(cores, "core", "cores"), count(static_cast<int>(pus.size()), "PU", "PUs"));
}

const Topology& machine_topology() {
  static const Topology topo = [] {
    TopoPtr t = load_machine();
    Topology out = from_hwloc(t.get());
    if (out.pus.empty()) throw std::runtime_error("hwloc found no CPU this process may run on");
    return out;
  }();
  return topo;
}

Topology synthetic_topology(const std::string& description) {
  TopoPtr t = new_topology();
  if (hwloc_topology_set_synthetic(t.get(), description.c_str()) != 0)
    throw std::invalid_argument(fmt::format("invalid synthetic hwloc topology '{}'", description));
  if (hwloc_topology_load(t.get()) != 0)
    throw std::runtime_error(fmt::format("hwloc_topology_load('{}'): {}", description, std::strerror(errno)));
  return from_hwloc(t.get());
}

bool is_pin_policy(std::string_view pin) {
  return pin == "none" || pin == "compact" || pin == "scatter" || pin == "cores" || pin == "ccx";
}

std::vector<int> parse_cpu_list(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return std::invalid_argument(
        fmt::format("cpu list '{}': {} (expected OS cpu numbers and ranges such as 0,2,4-7)", text, why));
  };
  if (trim(text).empty()) throw fail("empty");
  // Something with no digit at all was meant as a policy name: say so.
  if (text.find_first_of("0123456789") == std::string_view::npos)
    throw std::invalid_argument(
        fmt::format("pin '{}' is neither a policy ({}) nor a cpu list such as 0,2,4-7", text, kPolicies));
  auto number = [&](std::string_view s, std::string_view item) {
    s = trim(s);
    int v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || end != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range))
      throw fail(fmt::format("'{}' is not a cpu number or a range", item));
    if (ec == std::errc::result_out_of_range || v > kMaxCpu)
      throw fail(fmt::format("cpu '{}' is beyond {}", s, kMaxCpu));
    return v;
  };
  std::vector<int> out;
  std::set<int> seen;
  std::size_t pos = 0, index = 0;
  while (true) {
    const std::size_t comma = text.find(',', pos);
    const std::string_view item = trim(text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos));
    ++index;
    if (item.empty()) throw fail(fmt::format("item {} is empty", index));
    int lo = 0, hi = 0;
    if (const std::size_t dash = item.find('-'); dash != std::string_view::npos) {
      lo = number(item.substr(0, dash), item);
      hi = number(item.substr(dash + 1), item);
      if (lo > hi) throw fail(fmt::format("range '{}' runs backwards", item));
    } else {
      lo = hi = number(item, item);
    }
    for (int c = lo; c <= hi; ++c) {
      if (!seen.insert(c).second) throw fail(fmt::format("cpu {} is listed twice", c));
      out.push_back(c);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::vector<int> pin_cpus(const Topology& topo, std::string_view pin, int threads) {
  if (threads < 1)
    throw std::invalid_argument(
        fmt::format("pin={}: {} threads requested; a thread count must be at least 1", pin, threads));
  if (pin == "none") return {};
  if (!is_pin_policy(pin)) {
    const std::vector<int> list = parse_cpu_list(pin);
    if (static_cast<int>(list.size()) < threads)
      throw std::invalid_argument(fmt::format("pin={}: {} threads requested but the cpu list has {} cpu{}", pin,
                                              threads, list.size(), list.size() == 1 ? "" : "s"));
    // Only the cpus the threads get must exist: one list can serve several thread counts.
    std::vector<int> out(list.begin(), list.begin() + threads);
    for (int c : out)
      if (std::none_of(topo.pus.begin(), topo.pus.end(), [&](const Pu& p) { return p.os_index == c; })) {
        std::vector<int> have;
        for (const auto& p : topo.pus) have.push_back(p.os_index);
        throw std::invalid_argument(
            fmt::format("pin={}: cpu {} is not one this process may run on (it may use {})", pin, c, cpu_ranges(have)));
      }
    return out;
  }
  const std::vector<std::size_t> order = policy_order(topo, pin);
  if (threads > static_cast<int>(order.size())) {
    if (pin == "cores")
      throw std::invalid_argument(
          fmt::format("pin=cores: {} threads requested but this machine has {} physical "
                      "core{}",
                      threads, order.size(), order.size() == 1 ? "" : "s"));
    std::vector<int> have;
    for (const auto& p : topo.pus) have.push_back(p.os_index);
    throw std::invalid_argument(fmt::format(
        "pin={}: {} threads requested but this process may run on {} logical CPU{} ({}: its affinity mask, as "
        "taskset or a Slurm allocation set it)",
        pin, threads, order.size(), order.size() == 1 ? "" : "s", cpu_ranges(have)));
  }
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) out.push_back(topo.pus[order[static_cast<std::size_t>(t)]].os_index);
  return out;
}

}  // namespace cromwell
