// Pin policies (topology.hpp, docs/pinning.md) mapped on synthetic hwloc topologies.
//
// hwloc's synthetic topologies number PUs in logical order unless told otherwise, so on
// "core:N pu:2" the SMT siblings of core c are cpus 2c and 2c+1. Linux numbers a real Ryzen 9
// 5900X differently (siblings c and c+12); that numbering is given explicitly with "indexes=".
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/platform/topology.hpp"

using namespace cromwell;
using V = std::vector<int>;

namespace {

V range(int lo, int hi, int step = 1) {  // [lo, hi] by step
  V v;
  for (int i = lo; i <= hi; i += step) v.push_back(i);
  return v;
}

V cat(V a, const V& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

V prefix(const V& v, int n) { return V(v.begin(), v.begin() + n); }

// Linux's numbering of a 5900X: cpu c is thread 0 of core c, cpu c+12 its SMT sibling.
std::string ryzen_5900x_linux() {
  std::string idx;
  for (int c = 0; c < 12; ++c) idx += (c ? "," : "") + std::to_string(c) + "," + std::to_string(c + 12);
  return "package:1 l3cache:2 core:6 pu:2(indexes=" + idx + ")";
}

}  // namespace

TEST_CASE("pin: 12-core 2-CCX SMT-2 package (5900X design), hwloc synthetic numbering") {
  const Topology t = synthetic_topology("package:1 l3cache:2 core:6 pu:2");
  CHECK(t.packages == 1);
  CHECK(t.numa_nodes == 1);
  CHECK(t.l3_domains == 2);
  CHECK(t.cores == 12);
  REQUIRE(t.pus.size() == 24);
  CHECK(t.describe() == "1 package, 1 NUMA node, 2 L3, 12 cores, 24 PUs");
  CHECK(t.pus[13].os_index == 13);
  CHECK(t.pus[13].core == 6);
  CHECK(t.pus[13].smt == 1);
  CHECK(t.pus[13].l3 == 1);
  CHECK(t.pus[11].l3 == 0);

  // The full orders; every thread count takes a prefix.
  const V compact = range(0, 23);
  const V cores = range(0, 22, 2);
  const V scatter = {0, 12, 2, 14, 4, 16, 6, 18, 8, 20, 10, 22, 1, 13, 3, 15, 5, 17, 7, 19, 9, 21, 11, 23};
  const V ccx = cat(range(0, 22, 2), range(1, 23, 2));
  for (int n : {1, 2, 3, 4, 6, 7, 12, 13, 24}) {
    INFO("threads " << n);
    CHECK(pin_cpus(t, "none", n).empty());
    CHECK(pin_cpus(t, "compact", n) == prefix(compact, n));
    CHECK(pin_cpus(t, "scatter", n) == prefix(scatter, n));
    CHECK(pin_cpus(t, "ccx", n) == prefix(ccx, n));
    if (n <= 12) CHECK(pin_cpus(t, "cores", n) == prefix(cores, n));
  }
  // The examples of the design notes, spelled out.
  CHECK(pin_cpus(t, "compact", 3) == V{0, 1, 2});
  CHECK(pin_cpus(t, "cores", 3) == V{0, 2, 4});
  CHECK(pin_cpus(t, "scatter", 4) == V{0, 12, 2, 14});
  CHECK(pin_cpus(t, "ccx", 7) == V{0, 2, 4, 6, 8, 10, 12});

  CHECK_THROWS_WITH(pin_cpus(t, "cores", 13), "pin=cores: 13 threads requested but this machine has 12 physical cores");
  CHECK_THROWS_WITH(pin_cpus(t, "compact", 25),
                    Catch::StartsWith("pin=compact: 25 threads requested but this process may run on 24 logical CPUs"));
  CHECK_THROWS_WITH(pin_cpus(t, "scatter", 25), Catch::Contains("pin=scatter: 25 threads") && Catch::Contains("24"));
  CHECK_THROWS_WITH(pin_cpus(t, "ccx", 25), Catch::Contains("pin=ccx: 25 threads") && Catch::Contains("24"));
  CHECK_THROWS_AS(pin_cpus(t, "ccx", 25), std::invalid_argument);
  CHECK(pin_cpus(t, "none", 100).empty());  // no pinning, no limit: the sweep warns about oversubscription
}

TEST_CASE("pin: the 5900X as Linux numbers it (siblings c and c+12)") {
  const Topology t = synthetic_topology(ryzen_5900x_linux());
  REQUIRE(t.pus.size() == 24);
  CHECK(t.pus[1].os_index == 12);
  CHECK(t.pus[1].smt == 1);
  const V compact = {0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23};
  const V cores = range(0, 11);
  const V scatter = {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11, 12, 18, 13, 19, 14, 20, 15, 21, 16, 22, 17, 23};
  const V ccx = range(0, 23);
  for (int n : {1, 2, 3, 4, 6, 7, 12, 13, 24}) {
    INFO("threads " << n);
    CHECK(pin_cpus(t, "compact", n) == prefix(compact, n));
    CHECK(pin_cpus(t, "scatter", n) == prefix(scatter, n));
    CHECK(pin_cpus(t, "ccx", n) == prefix(ccx, n));
    if (n <= 12) CHECK(pin_cpus(t, "cores", n) == prefix(cores, n));
  }
  CHECK(pin_cpus(t, "0-5,12-17", 8) == V{0, 1, 2, 3, 4, 5, 12, 13});  // one CCX with its siblings
}

TEST_CASE("pin: two-socket NUMA machine, one L3 per socket") {
  const Topology t = synthetic_topology("package:2 numa:1 l3cache:1 core:4 pu:2");
  CHECK(t.packages == 2);
  CHECK(t.numa_nodes == 2);
  CHECK(t.l3_domains == 2);
  CHECK(t.cores == 8);
  REQUIRE(t.pus.size() == 16);
  CHECK(t.describe() == "2 packages, 2 NUMA nodes, 2 L3, 8 cores, 16 PUs");
  CHECK(t.pus[7].numa == 0);
  CHECK(t.pus[8].numa == 1);
  CHECK(t.pus[8].l3 == 1);
  CHECK(pin_cpus(t, "compact", 3) == V{0, 1, 2});
  CHECK(pin_cpus(t, "cores", 5) == V{0, 2, 4, 6, 8});
  CHECK(pin_cpus(t, "cores", 8) == range(0, 14, 2));
  CHECK(pin_cpus(t, "scatter", 2) == V{0, 8});
  CHECK(pin_cpus(t, "scatter", 4) == V{0, 8, 2, 10});
  CHECK(pin_cpus(t, "scatter", 9) == V{0, 8, 2, 10, 4, 12, 6, 14, 1});
  CHECK(pin_cpus(t, "ccx", 5) == V{0, 2, 4, 6, 8});
  CHECK(pin_cpus(t, "ccx", 9) == V{0, 2, 4, 6, 8, 10, 12, 14, 1});
  CHECK_THROWS_WITH(pin_cpus(t, "cores", 9), "pin=cores: 9 threads requested but this machine has 8 physical cores");
}

TEST_CASE("pin: two sockets with two L3 domains each: scatter deals over all four") {
  const Topology t = synthetic_topology("package:2 numa:1 l3cache:2 core:2 pu:2");
  CHECK(t.l3_domains == 4);
  CHECK(pin_cpus(t, "scatter", 4) == V{0, 4, 8, 12});
  CHECK(pin_cpus(t, "scatter", 6) == V{0, 4, 8, 12, 2, 6});
  CHECK(pin_cpus(t, "scatter", 9) == V{0, 4, 8, 12, 2, 6, 10, 14, 1});
  CHECK(pin_cpus(t, "ccx", 3) == V{0, 2, 4});
}

TEST_CASE("pin: a machine without L3 objects is one domain") {
  const Topology t = synthetic_topology("package:1 core:4 pu:2");
  CHECK(t.l3_domains == 0);
  CHECK(t.describe() == "1 package, 1 NUMA node, no L3, 4 cores, 8 PUs");
  for (const auto& p : t.pus) CHECK(p.l3 == 0);
  CHECK(pin_cpus(t, "compact", 3) == V{0, 1, 2});
  CHECK(pin_cpus(t, "cores", 3) == V{0, 2, 4});
  CHECK(pin_cpus(t, "scatter", 5) == V{0, 2, 4, 6, 1});
  CHECK(pin_cpus(t, "ccx", 5) == V{0, 2, 4, 6, 1});
  CHECK(pin_cpus(t, "ccx", 8) == V{0, 2, 4, 6, 1, 3, 5, 7});
}

TEST_CASE("pin: PUs without Core objects count as one core each") {
  const Topology t = synthetic_topology("package:1 pu:4");
  CHECK(t.cores == 4);
  for (const auto& p : t.pus) CHECK(p.smt == 0);
  CHECK(pin_cpus(t, "cores", 4) == V{0, 1, 2, 3});
  CHECK(pin_cpus(t, "scatter", 3) == V{0, 1, 2});
}

TEST_CASE("pin: a 2-CPU VM") {
  const Topology t = synthetic_topology("package:1 core:2 pu:1");
  CHECK(t.describe() == "1 package, 1 NUMA node, no L3, 2 cores, 2 PUs");
  for (const char* p : {"compact", "scatter", "cores", "ccx"}) {
    INFO(p);
    CHECK(pin_cpus(t, p, 1) == V{0});
    CHECK(pin_cpus(t, p, 2) == V{0, 1});
  }
  CHECK_THROWS_WITH(pin_cpus(t, "cores", 3), "pin=cores: 3 threads requested but this machine has 2 physical cores");
  CHECK_THROWS_WITH(pin_cpus(t, "compact", 3),
                    Catch::StartsWith("pin=compact: 3 threads requested but this process may run on 2 logical CPUs"));
  CHECK(pin_cpus(t, "none", 3).empty());
  CHECK(pin_cpus(t, "1", 1) == V{1});
  CHECK(pin_cpus(t, "1,0", 2) == V{1, 0});  // the list's order, not sorted
  CHECK(pin_cpus(t, "0-1", 2) == V{0, 1});
  CHECK_THROWS_WITH(pin_cpus(t, "2", 1), "pin=2: cpu 2 is not one this process may run on (it may use 0-1)");
}

TEST_CASE("pin: explicit cpu lists") {
  const Topology t = synthetic_topology("package:1 l3cache:2 core:6 pu:2");
  CHECK(pin_cpus(t, "0,5,7-8", 4) == V{0, 5, 7, 8});
  CHECK(pin_cpus(t, "0,5,7-8", 2) == V{0, 5});  // a longer list: its first cpus
  CHECK(pin_cpus(t, "0,99", 1) == V{0});        // unused cpus are not checked
  CHECK_THROWS_WITH(pin_cpus(t, "0,1", 3), "pin=0,1: 3 threads requested but the cpu list has 2 cpus");
  CHECK_THROWS_WITH(pin_cpus(t, "4", 2), "pin=4: 2 threads requested but the cpu list has 1 cpu");
  CHECK_THROWS_WITH(pin_cpus(t, "0,99", 2), "pin=0,99: cpu 99 is not one this process may run on (it may use 0-23)");
  CHECK_THROWS_AS(pin_cpus(t, "0,,1", 2), std::invalid_argument);
  CHECK_THROWS_WITH(pin_cpus(t, "compakt", 1), Catch::Contains("'compakt' is neither a policy"));
  CHECK_THROWS_WITH(pin_cpus(t, "Compact", 1), Catch::Contains("neither a policy"));
}

TEST_CASE("pin: thread counts below 1 are refused for every policy") {
  const Topology t = synthetic_topology("package:1 core:2 pu:1");
  for (const char* p : {"none", "compact", "scatter", "cores", "ccx", "0,1"}) {
    INFO(p);
    CHECK_THROWS_WITH(pin_cpus(t, p, 0),
                      "pin=" + std::string(p) + ": 0 threads requested; a thread count must be at least 1");
    CHECK_THROWS_AS(pin_cpus(t, p, -3), std::invalid_argument);
  }
}

TEST_CASE("pin: cpu lists parse, and bad syntax is refused with the reason") {
  CHECK(parse_cpu_list("3") == V{3});
  CHECK(parse_cpu_list("0,2,4-7") == V{0, 2, 4, 5, 6, 7});
  CHECK(parse_cpu_list("7-7") == V{7});
  CHECK(parse_cpu_list("10-12,0") == V{10, 11, 12, 0});
  CHECK(parse_cpu_list(" 1, 2 ") == V{1, 2});
  CHECK_THROWS_WITH(parse_cpu_list("0,,1"), Catch::Contains("item 2 is empty"));
  CHECK_THROWS_WITH(parse_cpu_list("0,1,"), Catch::Contains("item 3 is empty"));
  CHECK_THROWS_WITH(parse_cpu_list(",0"), Catch::Contains("item 1 is empty"));
  CHECK_THROWS_WITH(parse_cpu_list("a"), Catch::Contains("'a' is neither a policy"));
  CHECK_THROWS_WITH(parse_cpu_list("0,a"), Catch::Contains("'a' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("3-1"), Catch::Contains("range '3-1' runs backwards"));
  CHECK_THROWS_WITH(parse_cpu_list("-1"), Catch::Contains("'-1' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("1-2-3"), Catch::Contains("'1-2-3' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("1-"), Catch::Contains("'1-' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("+1"), Catch::Contains("'+1' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("0x1"), Catch::Contains("'0x1' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("1 2"), Catch::Contains("'1 2' is not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("1,1"), Catch::Contains("cpu 1 is listed twice"));
  CHECK_THROWS_WITH(parse_cpu_list("0-3,2"), Catch::Contains("cpu 2 is listed twice"));
  CHECK_THROWS_WITH(parse_cpu_list("99999999999"), Catch::Contains("beyond"));
  CHECK_THROWS_WITH(parse_cpu_list("0-100000"), Catch::Contains("beyond"));
  CHECK_THROWS_WITH(parse_cpu_list(""), Catch::Contains("empty"));
  CHECK_THROWS_AS(parse_cpu_list("3-1"), std::invalid_argument);
}

TEST_CASE("pin: policy names") {
  for (const char* p : {"none", "compact", "scatter", "cores", "ccx"}) CHECK(is_pin_policy(p));
  for (const char* p : {"", "0,1", "Compact", "core", "compact,scatter", " none"}) CHECK(!is_pin_policy(p));
}

TEST_CASE("pin: synthetic descriptions hwloc refuses are reported") {
  CHECK_THROWS_WITH(synthetic_topology("package:x"), Catch::Contains("package:x"));
}

TEST_CASE("pin: the machine's topology is consistent and every policy can place one thread") {
  const Topology& t = machine_topology();
  CHECK(&t == &machine_topology());  // read once
  REQUIRE(!t.pus.empty());
  std::set<int> os;
  for (const auto& p : t.pus) {
    os.insert(p.os_index);
    CHECK(p.smt >= 0);
    CHECK(p.core >= 0);
  }
  CHECK(os.size() == t.pus.size());
  CHECK(t.cores >= 1);
  CHECK(t.cores <= static_cast<int>(t.pus.size()));
  const int n = static_cast<int>(t.pus.size());
  for (const char* p : {"compact", "scatter", "ccx"}) {
    INFO(p);
    CHECK(pin_cpus(t, p, 1).size() == 1);
    const V all = pin_cpus(t, p, n);
    CHECK(std::set<int>(all.begin(), all.end()) == os);
  }
  CHECK(pin_cpus(t, "cores", t.cores).size() == static_cast<std::size_t>(t.cores));
  CHECK_THROWS_AS(pin_cpus(t, "compact", n + 1), std::invalid_argument);
}
