// Pin policies mapped on synthetic hwloc topologies (hwloc numbers PUs in logical order, so on
// "core:N pu:2" the siblings of core c are PUs 2c and 2c+1).
#include <catch2/catch.hpp>

#include "harness/topology.hpp"

using namespace cromwell;
using V = std::vector<int>;

TEST_CASE("pin policies on a 12-core 2-CCX SMT-2 package (Ryzen 9 5900X)") {
  const Topology t = synthetic_topology("package:1 l3cache:2 core:6 pu:2");
  CHECK(t.cores == 12);
  CHECK(t.l3_domains == 2);
  CHECK(t.pus.size() == 24);
  CHECK(pin_cpus(t, "none", 4).empty());
  CHECK(pin_cpus(t, "compact", 3) == V{0, 1, 2});
  CHECK(pin_cpus(t, "cores", 3) == V{0, 2, 4});
  CHECK(pin_cpus(t, "scatter", 4) == V{0, 12, 2, 14});
  CHECK(pin_cpus(t, "ccx", 7) == V{0, 2, 4, 6, 8, 10, 12});
  CHECK(pin_cpus(t, "ccx", 13).back() == 1);
  CHECK(pin_cpus(t, "scatter", 13).back() == 1);
  CHECK(pin_cpus(t, "compact", 24).back() == 23);
  CHECK(pin_cpus(t, "0,5,7-8", 4) == V{0, 5, 7, 8});
  CHECK(pin_cpus(t, "0,5,7-8", 2) == V{0, 5});
  CHECK_THROWS_WITH(pin_cpus(t, "cores", 13), Catch::Contains("13 threads requested but this machine has 12 physical cores"));
  CHECK_THROWS_WITH(pin_cpus(t, "compact", 25), Catch::Contains("24 CPUs"));
  CHECK_THROWS_WITH(pin_cpus(t, "0,1", 3), Catch::Contains("the list has 2"));
  CHECK_THROWS_WITH(pin_cpus(t, "0,99", 2), Catch::Contains("cpu 99 is not available"));
  CHECK_THROWS_WITH(pin_cpus(t, "compact", 0), Catch::Contains("≥ 1"));
}

TEST_CASE("pin policies on a two-socket NUMA machine") {
  const Topology t = synthetic_topology("package:2 numa:1 l3cache:1 core:4 pu:2");
  CHECK(t.packages == 2);
  CHECK(t.numa_nodes == 2);
  CHECK(t.l3_domains == 2);
  CHECK(pin_cpus(t, "scatter", 2) == V{0, 8});
  CHECK(pin_cpus(t, "ccx", 5) == V{0, 2, 4, 6, 8});
  CHECK(pin_cpus(t, "cores", 8) == V{0, 2, 4, 6, 8, 10, 12, 14});
  CHECK(t.pus[8].numa == 1);
}

TEST_CASE("pin policies on a machine that reports no L3") {
  const Topology t = synthetic_topology("package:1 core:4 pu:1");
  CHECK(t.l3_domains == 1);
  CHECK(pin_cpus(t, "scatter", 3) == V{0, 1, 2});
  CHECK(pin_cpus(t, "ccx", 4) == V{0, 1, 2, 3});
  CHECK(pin_cpus(t, "cores", 4) == V{0, 1, 2, 3});
}

TEST_CASE("pin policies on a 2-CPU VM") {
  const Topology t = synthetic_topology("package:1 core:2 pu:1");
  CHECK(pin_cpus(t, "compact", 2) == V{0, 1});
  CHECK_THROWS_WITH(pin_cpus(t, "cores", 3), Catch::Contains("2 physical cores"));
}

TEST_CASE("cpu lists parse and reject bad syntax") {
  CHECK(parse_cpu_list("3") == V{3});
  CHECK(parse_cpu_list("0,2,4-7") == V{0, 2, 4, 5, 6, 7});
  CHECK_THROWS_WITH(parse_cpu_list("0,,1"), Catch::Contains("not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("a"), Catch::Contains("not a cpu number"));
  CHECK_THROWS_WITH(parse_cpu_list("3-1"), Catch::Contains("backwards"));
  CHECK_THROWS_WITH(parse_cpu_list("1,1"), Catch::Contains("twice"));
  CHECK_THROWS_WITH(parse_cpu_list(""), Catch::Contains("empty"));
  CHECK(is_pin_policy("ccx"));
  CHECK(!is_pin_policy("0,1"));
}

TEST_CASE("the machine topology is non-empty and every pin of one thread works") {
  const Topology& t = machine_topology();
  REQUIRE(!t.pus.empty());
  for (const char* p : {"compact", "scatter", "cores", "ccx"}) CHECK(pin_cpus(t, p, 1).size() == 1);
}
