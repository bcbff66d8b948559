// Counters on a machine without a PMU: the event tables are checked by encoding, the error paths
// by the kernel's real answers (ENOENT here) and by an injected EACCES, the arithmetic on
// synthetic readings. Nothing here lowers perf_event_paranoid.
#include <linux/perf_event.h>

#include <sys/mman.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "counters/backend.hpp"
#include "counters/formula.hpp"
#include "counters/groups.hpp"
#include "counters/hardware_probe.hpp"
#include "counters/perf_backend.hpp"
#include "counters/perf_events.hpp"
#include "harness/platform/pool.hpp"
#include "tests/counters/fake_perf.hpp"

using namespace cromwell;
namespace fs = std::filesystem;

TEST_CASE("formulas evaluate with precedence and have no value where inputs are missing") {
  const Formula f = Formula::parse("1000 * (a + b) / c - -d");
  CHECK(f.names() == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(*f.eval({{"a", 1}, {"b", 3}, {"c", 8}, {"d", 2}}) == Approx(502.0));
  CHECK(!f.eval({{"a", 1}, {"b", 3}, {"c", 0}, {"d", 2}}));  // division by zero: no value, not 0
  CHECK(!f.eval({{"a", 1}, {"b", 3}, {"d", 2}}));            // missing input
  CHECK(*Formula::parse("x / y * 2").eval({{"x", 6}, {"y", 3}}) == Approx(4.0));
  CHECK(*Formula::parse("2.5e3").eval({}) == Approx(2500.0));
  CHECK_THROWS_WITH(Formula::parse("a +"), Catch::Contains("position 4"));
  CHECK_THROWS_WITH(Formula::parse("(a"), Catch::Contains("')'"));
  CHECK_THROWS_WITH(Formula::parse("a b"), Catch::Contains("an operator or the end"));
  CHECK_THROWS_WITH(Formula::parse("1x"), Catch::Contains("a number"));
}

TEST_CASE("multiplexed values are scaled with their coverage and a group that never ran has no value") {
  const Scaled full = scale(1000, 50, 50);
  CHECK(*full.value == Approx(1000));
  CHECK(full.coverage == Approx(1.0));
  const Scaled part = scale(1000, 100, 25);
  CHECK(*part.value == Approx(4000));
  CHECK(part.coverage == Approx(0.25));
  CHECK(!scale(0, 100, 0).value);
  CHECK(!scale(0, 0, 0).value);
}

TEST_CASE("every group file of every PMU parses, encodes, uses listed raw events and fits the budget") {
  int groups = 0, events = 0;
  for (const auto& pmu_name : known_pmus()) {
    const auto gs = load_groups(pmu_name);
    REQUIRE(!gs.empty());
    Pmu pmu;
    if (pmu_name == "zen2")
      pmu = pmu_for("AuthenticAMD", 0x17, 0x31);
    else if (pmu_name == "zen3")
      pmu = pmu_for("AuthenticAMD", 0x19, 0x21);
    else if (pmu_name == "zen4")
      pmu = pmu_for("AuthenticAMD", 0x19, 0x61);
    else if (pmu_name == "zen5")
      pmu = pmu_for("AuthenticAMD", 0x1a, 0x02);
    else if (pmu_name == "skl")
      pmu = pmu_for("GenuineIntel", 6, 0x5e);
    else if (pmu_name == "icl")
      pmu = pmu_for("GenuineIntel", 6, 0x7e);
    else
      pmu = pmu_for("SomeVendor", 1, 1);
    REQUIRE(pmu.name == pmu_name);
    for (const auto& g : gs) {
      ++groups;
      INFO(g.file);
      CHECK(!g.description.empty());
      for (bool watchdog : {false, true})
        CHECK(counters_needed(pmu, g.events, watchdog) <= counter_budget(pmu, watchdog));
      for (const auto& e : g.events) {
        ++events;
        INFO(e.name << " = " << e.spec);
        if (is_raw(e.spec))
          CHECK(raw_event_known(pmu_name, e.spec));
        else
          CHECK_NOTHROW(encode_event(e.name, e.spec));
        // Only the PMU's own table or the kernel's generic events.
        if (!is_raw(e.spec)) CHECK((e.spec.rfind("perf::", 0) == 0 || pmu_name != "generic"));
      }
      for (const auto& m : g.metrics) CHECK(!m.scope.empty());
    }
  }
  CHECK(groups >= 20);
  CHECK(events >= 50);
}

TEST_CASE("cycles, instructions and L1D accesses must count in every group file, and nothing else") {
  // A 0 from these over a kernel that runs is a fault; an L3 miss count of 0 is a true value.
  for (const auto& pmu_name : known_pmus())
    for (const auto& g : load_groups(pmu_name))
      for (const auto& e : g.events) {
        INFO(g.file << ": " << e.name);
        const bool must =
            e.name == "cycles" || e.name == "instructions" || e.name == "l1d_accesses" || e.name == "l1d_reads";
        CHECK(e.must_count == must);
      }
}

TEST_CASE("the encodings of the Zen 3 L3 events are the documented ones") {
  CHECK(encode_event(
            "x",
            "amd64_fam19h_zen3::DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM:EXT_CACHE_LCL:MEM_IO_LCL:EXT_CACHE_RMT:MEM_IO_RMT")
            .config == 0x5c43);
  CHECK(encode_event("x",
                     "amd64_fam19h_zen3::DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE:EXT_CACHE_LCL:MEM_IO_LCL:EXT_"
                     "CACHE_RMT:MEM_IO_RMT")
            .config == 0x5e43);
  CHECK(raw_config("event=0x165,umask=0x48") == 0x100004865ULL);
  CHECK(raw_config("event=0x43,umask=0xdc") == 0xdc43);
  CHECK_THROWS_WITH(raw_config("event=0x43,umask=0x1ff"), Catch::Contains("umask above 0xff"));
  CHECK_THROWS_WITH(raw_config("umask=0x1"), Catch::Contains("no event="));
  CHECK_THROWS_WITH(encode_event("x", "amd64_fam19h_zen3::NO_SUCH_EVENT"), Catch::Contains("cannot encode"));
  CHECK(!raw_event_known("zen5", "event=0x43,umask=0x01"));
}

TEST_CASE("group files reject what they cannot mean, naming file and line") {
  CHECK_THROWS_WITH(
      parse_group("DESCRIPTION d\nEVENTS\na perf::CYCLES\nMETRICS\nm = a / b | s\n", "zen3", "X", "X.txt"),
      Catch::Contains("X.txt:5: metric 'm' uses 'b', which is not an event of this group"));
  CHECK_THROWS_WITH(parse_group("EVENTS\na perf::CYCLES\nMETRICS\nm = a\n", "zen3", "X", "X.txt"),
                    Catch::Contains("X.txt:4: metric 'm' has no scope"));
  CHECK_THROWS_WITH(parse_group("EVENTS\na event=0x43,umask=zz\n", "zen3", "X", "X.txt"), Catch::Contains("X.txt:2"));
  CHECK_THROWS_WITH(parse_group("a b\n", "zen3", "X", "X.txt"), Catch::Contains("expected DESCRIPTION"));
}

TEST_CASE("a user directory overrides and extends the built-in groups") {
  const fs::path dir = fs::temp_directory_path() / ("cromwell-groups-" + std::to_string(getpid()));
  fs::create_directories(dir / "zen3");
  std::ofstream(dir / "zen3" / "CORE.txt") << "DESCRIPTION mine\nEVENTS\ncycles perf::CYCLES\n";
  std::ofstream(dir / "zen3" / "EXTRA.txt") << "DESCRIPTION extra\nEVENTS\ninstructions perf::INSTRUCTIONS\n";
  const auto gs = load_groups("zen3", dir.string());
  std::set<std::string> names;
  for (const auto& g : gs) {
    names.insert(g.name);
    if (g.name == "CORE") CHECK(g.description == "mine");
  }
  CHECK(names.count("EXTRA"));
  CHECK(names.count("L3"));
  fs::remove_all(dir);
}

TEST_CASE("PMU tables follow CPUID, not libpfm's detection") {
  CHECK(pmu_for("AuthenticAMD", 0x19, 0x21).name == "zen3");  // Ryzen 9 5900X
  CHECK(pmu_for("AuthenticAMD", 0x19, 0x61).name == "zen4");  // Ryzen 7000, missed by libpfm 4.13
  CHECK(pmu_for("AuthenticAMD", 0x1a, 0x02).name == "zen5");  // unknown to libpfm 4.13
  CHECK(pmu_for("AuthenticAMD", 0x17, 0x71).name == "zen2");
  CHECK(pmu_for("GenuineIntel", 6, 0x55).name == "skl");
  CHECK(pmu_for("GenuineIntel", 6, 0x6a).name == "icl");
  CHECK(pmu_for("GenuineIntel", 6, 0x97).name == "generic");
  CHECK(counter_budget(pmu_for("AuthenticAMD", 0x19, 0x21), true) == 5);
  CHECK(counter_budget(pmu_for("AuthenticAMD", 0x19, 0x21), false) == 6);
}

TEST_CASE("without a PMU the hardware backend degrades to empty values with the reason") {
  const HardwareProbe p = probe_hardware(system_perf());
  if (p.counts) {
    WARN("this machine has hardware counters: the no-PMU path is not exercised here");
    return;
  }
  CHECK(!p.why.empty());
  auto backend = make_perf_backend(this_pmu(), "", system_perf());
  Pool pool(2, {});
  auto session = backend->open(pool);
  session->start();
  session->stop(10);
  for (const auto& m : session->finish()) {
    INFO(m.name);
    CHECK(!m.value);
    CHECK(!m.reason.empty());
  }
}

TEST_CASE("software counters count page faults in two pool workers") {
  auto backend = make_software_backend(system_perf());
  if (backend->source() != "sw") WARN("software events refused here: the getrusage fallback counts instead");
  Pool pool(2, {});
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), pages = 2000;
  std::vector<std::byte*> bufs(2);
  for (auto& b : bufs) {
    b = static_cast<std::byte*>(
        mmap(nullptr, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    REQUIRE(b != MAP_FAILED);
    madvise(b, pages * page, MADV_NOHUGEPAGE);
  }
  auto session = backend->open(pool);
  session->start();
  pool.run([&](int tid) {
    for (std::size_t i = 0; i < pages; ++i) bufs[tid][i * page] = std::byte{1};
  });
  session->stop(1);
  double faults = -1;
  for (const auto& m : session->finish())
    if (m.name == "page_faults" && m.value) faults = *m.value;
  CHECK(faults >= 0.95 * 2 * pages);
  CHECK(faults <= 1.25 * 2 * pages);  // AddressSanitizer touches a shadow page per 8 pages
  for (auto* b : bufs) munmap(b, pages * page);
}

TEST_CASE("when the kernel refuses software events the backend falls back to getrusage and says so") {
  auto refuse = std::make_shared<test::FakePerf>();
  refuse->fail = [](const test::FakeEvent&) { return EACCES; };
  auto backend = make_software_backend(refuse);
  CHECK(backend->source() == "sw:rusage");
  CHECK_THAT(backend->scope(), Catch::Contains("perf_event_paranoid"));
  Pool pool(2, {});
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), pages = 1000;
  auto* b = static_cast<std::byte*>(
      mmap(nullptr, 2 * pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  REQUIRE(b != MAP_FAILED);
  madvise(b, 2 * pages * page, MADV_NOHUGEPAGE);
  auto session = backend->open(pool);
  session->start();
  pool.run([&](int tid) {
    for (std::size_t i = 0; i < pages; ++i) b[(tid * pages + i) * page] = std::byte{1};
  });
  session->stop(1);
  for (const auto& m : session->finish()) {
    INFO(m.name << " " << m.reason);
    if (m.name == "page_faults") {
      REQUIRE(m.value);
      CHECK(*m.value >= 0.95 * 2 * pages);
    }
    if (m.name == "cpu_migrations") CHECK(!m.value);
    if (m.name == "task_clock_ns") CHECK(m.value);
  }
  munmap(b, 2 * pages * page);
}

namespace {
// A pool job that sleeps gives the scheduler a switch per thread.
std::map<std::string, Metric> sleep_once(CounterBackend& backend) {
  Pool pool(2, {});
  auto session = backend.open(pool);
  session->start();
  pool.run([](int) { usleep(2000); });
  session->stop(1);
  std::map<std::string, Metric> out;
  for (const auto& m : session->finish()) out[m.name] = m;
  return out;
}
}  // namespace

TEST_CASE("context switches are counted, by perf with kernel mode included or by getrusage, never a dropped 0") {
  SECTION("this machine, whichever path it permits") {
    auto backend = make_software_backend(system_perf());
    const auto m = sleep_once(*backend);
    INFO(backend->scope());
    REQUIRE(m.at("context_switches").value);
    CHECK(*m.at("context_switches").value >= 2);
  }
  SECTION("kernel-mode scheduler events refused (paranoid 2, a normal user): getrusage, migrations empty") {
    auto sys = std::make_shared<test::FakePerf>();
    sys->fail = [](const test::FakeEvent& e) { return e.attr.exclude_kernel ? 0 : EACCES; };
    auto backend = make_software_backend(sys);
    CHECK(backend->source() == "sw");
    CHECK_THAT(backend->scope(), Catch::Contains("context switches from getrusage"));
    const auto m = sleep_once(*backend);
    REQUIRE(m.at("context_switches").value);
    CHECK(*m.at("context_switches").value >= 2);
    CHECK(!m.at("cpu_migrations").value);
    CHECK_THAT(m.at("cpu_migrations").reason, Catch::Contains("getrusage has no migration count"));
    CHECK(m.at("page_faults").value);  // still from the user-mode perf group
  }
  SECTION("permitted: the scheduler events open with exclude_kernel 0 and their counts are read") {
    auto sys = std::make_shared<test::FakePerf>();
    sys->counts = [](const test::FakeEvent& e, int) -> std::uint64_t {
      return e.attr.config == PERF_COUNT_SW_CONTEXT_SWITCHES ? 3
             : e.attr.config == PERF_COUNT_SW_CPU_MIGRATIONS ? 1
                                                             : 7;
    };
    auto backend = make_software_backend(sys);
    CHECK_THAT(backend->scope(), Catch::Contains("kernel mode included"));
    CHECK(backend->source() == "sw");
    const auto m = sleep_once(*backend);
    REQUIRE(m.at("context_switches").value);
    CHECK(*m.at("context_switches").value == 6);  // 3 per pool thread
    REQUIRE(m.at("cpu_migrations").value);
    CHECK(*m.at("cpu_migrations").value == 2);
    // One group per thread, every event with kernel mode included (the probe's group, then one per thread).
    REQUIRE(sys->events.size() == 4 * 3);
    for (const auto& e : sys->events) CHECK(e.attr.exclude_kernel == 0);
  }
}

TEST_CASE("errno becomes advice") {
  CHECK_THAT(perf_errno_advice(ENOENT), Catch::Contains("--counters sim"));
  CHECK_THAT(perf_errno_advice(EACCES), Catch::Contains("perf_event_paranoid"));
  CHECK_THAT(perf_errno_advice(EACCES), Catch::Contains("CAP_PERFMON"));
  CounterOptions bogus;
  bogus.backend = "bogus";
  CHECK_THROWS_WITH(make_backend(bogus, {}), Catch::Contains("allowed auto|perf|sim|sw|none"));
}
