#include "harness/topology.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <hwloc.h>

namespace cromwell {
namespace {

using TopoPtr = std::unique_ptr<hwloc_topology, void (*)(hwloc_topology_t)>;

int ancestor_index(hwloc_topology_t t, hwloc_obj_t pu, hwloc_obj_type_t type) {
  hwloc_obj_t o = hwloc_get_ancestor_obj_by_type(t, type, pu);
  return o ? static_cast<int>(o->logical_index) : 0;
}

Topology from_hwloc(hwloc_topology_t t) {
  Topology topo;
  const int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
  std::set<int> cores, l3s, numas, packages;
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, i);
    Pu p;
    p.os_index = static_cast<int>(pu->os_index);
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_CORE, pu);
    p.core = core ? static_cast<int>(core->logical_index) : i;
    p.smt = 0;
    if (core)
      for (unsigned c = 0; c < core->arity; ++c)
        if (core->children[c] == pu) p.smt = static_cast<int>(c);
    p.l3 = ancestor_index(t, pu, HWLOC_OBJ_L3CACHE);
    hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
    // NUMA nodes are memory children in hwloc 2: the node whose cpuset holds this PU.
    hwloc_obj_t node = hwloc_get_obj_covering_cpuset(t, pu->cpuset);
    while (node && node->memory_arity == 0) node = node->parent;
    p.numa = node && node->memory_first_child ? static_cast<int>(node->memory_first_child->logical_index) : 0;
    cores.insert(p.core);
    l3s.insert(p.l3);
    numas.insert(p.numa);
    packages.insert(pkg ? static_cast<int>(pkg->logical_index) : 0);
    topo.pus.push_back(p);
  }
  topo.cores = static_cast<int>(cores.size());
  topo.l3_domains = static_cast<int>(l3s.size());
  topo.numa_nodes = static_cast<int>(numas.size());
  topo.packages = static_cast<int>(packages.size());
  return topo;
}

TopoPtr load(const std::string* synthetic) {
  hwloc_topology_t t = nullptr;
  if (hwloc_topology_init(&t) != 0) throw std::runtime_error("hwloc_topology_init failed");
  TopoPtr owner(t, hwloc_topology_destroy);
  if (synthetic) {
    if (hwloc_topology_set_synthetic(t, synthetic->c_str()) != 0)
      throw std::invalid_argument(fmt::format("invalid synthetic topology '{}'", *synthetic));
  } else {
    hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING);
  }
  if (hwloc_topology_load(t) != 0) throw std::runtime_error("hwloc_topology_load failed");
  return owner;
}

}  // namespace

std::string Topology::describe() const {
  return fmt::format("{} package(s), {} NUMA node(s), {} L3 domain(s), {} cores, {} PUs", packages, numa_nodes,
                     l3_domains, cores, pus.size());
}

const Topology& machine_topology() {
  static const Topology topo = [] {
    TopoPtr t = load(nullptr);
    return from_hwloc(t.get());
  }();
  return topo;
}

Topology synthetic_topology(const std::string& description) {
  TopoPtr t = load(&description);
  return from_hwloc(t.get());
}

bool is_pin_policy(std::string_view pin) {
  return pin == "none" || pin == "compact" || pin == "scatter" || pin == "cores" || pin == "ccx";
}

std::vector<int> parse_cpu_list(std::string_view text) {
  std::vector<int> out;
  auto bad = [&](std::string_view why) {
    return std::invalid_argument(fmt::format(
        "pin '{}' is neither a policy (none|compact|scatter|cores|ccx) nor a cpu list such as 0,2,4-7: {}", text, why));
  };
  auto number = [&](std::string_view s) {
    int v = -1;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0) throw bad(fmt::format("'{}' is not a cpu number", s));
    return v;
  };
  if (text.empty()) throw bad("empty");
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, end - pos);
    if (const std::size_t dash = item.find('-'); dash != std::string_view::npos) {
      const int lo = number(item.substr(0, dash)), hi = number(item.substr(dash + 1));
      if (lo > hi) throw bad(fmt::format("range '{}' runs backwards", item));
      for (int c = lo; c <= hi; ++c) out.push_back(c);
    } else {
      out.push_back(number(item));
    }
    pos = end + 1;
  }
  std::set<int> unique(out.begin(), out.end());
  if (unique.size() != out.size()) throw bad("a cpu is listed twice");
  return out;
}

std::vector<int> pin_cpus(const Topology& topo, std::string_view pin, int threads) {
  if (threads < 1) throw std::invalid_argument(fmt::format("threads={} must be ≥ 1", threads));
  if (pin == "none") return {};
  const int npus = static_cast<int>(topo.pus.size());
  std::vector<int> order;  // positions in topo.pus, in the policy's preferred order
  if (pin == "compact") {
    for (int i = 0; i < npus; ++i) order.push_back(i);
  } else if (pin == "cores") {
    for (int i = 0; i < npus; ++i)
      if (topo.pus[i].smt == 0) order.push_back(i);
    if (threads > static_cast<int>(order.size()))
      throw std::invalid_argument(fmt::format("pin=cores: {} threads requested but this machine has {} physical cores",
                                              threads, order.size()));
  } else if (pin == "ccx" || pin == "scatter") {
    // Group first PUs of cores by L3 domain; SMT siblings come after every core.
    std::vector<std::vector<int>> by_l3(std::max(1, topo.l3_domains)), siblings(std::max(1, topo.l3_domains));
    std::vector<int> l3_ids;
    for (const auto& p : topo.pus) l3_ids.push_back(p.l3);
    std::sort(l3_ids.begin(), l3_ids.end());
    l3_ids.erase(std::unique(l3_ids.begin(), l3_ids.end()), l3_ids.end());
    by_l3.assign(l3_ids.size(), {});
    siblings.assign(l3_ids.size(), {});
    for (int i = 0; i < npus; ++i) {
      const auto d = std::lower_bound(l3_ids.begin(), l3_ids.end(), topo.pus[i].l3) - l3_ids.begin();
      (topo.pus[i].smt == 0 ? by_l3 : siblings)[d].push_back(i);
    }
    auto take = [&](std::vector<std::vector<int>>& groups) {
      if (pin == "ccx") {
        for (auto& g : groups) order.insert(order.end(), g.begin(), g.end());
      } else {
        for (std::size_t r = 0;; ++r) {
          bool any = false;
          for (auto& g : groups)
            if (r < g.size()) {
              order.push_back(g[r]);
              any = true;
            }
          if (!any) break;
        }
      }
    };
    take(by_l3);
    take(siblings);
  } else {
    const std::vector<int> cpus = parse_cpu_list(pin);
    if (static_cast<int>(cpus.size()) < threads)
      throw std::invalid_argument(fmt::format("pin={}: {} threads need {} cpus, the list has {}", pin, threads,
                                              threads, cpus.size()));
    for (int c : cpus)
      if (std::none_of(topo.pus.begin(), topo.pus.end(), [&](const Pu& p) { return p.os_index == c; }))
        throw std::invalid_argument(fmt::format("pin={}: cpu {} is not available to this process", pin, c));
    return std::vector<int>(cpus.begin(), cpus.begin() + threads);
  }
  if (threads > static_cast<int>(order.size()))
    throw std::invalid_argument(fmt::format("pin={}: {} threads requested but this machine has {} CPUs", pin, threads,
                                            order.size()));
  std::vector<int> out;
  for (int t = 0; t < threads; ++t) out.push_back(topo.pus[order[t]].os_index);
  return out;
}

}  // namespace cromwell
