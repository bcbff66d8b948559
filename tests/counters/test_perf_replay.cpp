// The hardware path on replayed readings (this machine has no PMU): multiplexing scaled by the
// deltas of each counted region, one event failing with ENOENT, EACCES or EINVAL without blanking
// the others, a must-count event stuck at 0, the attributes opened, and the amd_l3 PMU on fake sysfs
// trees in its three states.
#include <linux/perf_event.h>

#include <unistd.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>

#include "counters/amd_l3.hpp"
#include "counters/groups.hpp"
#include "counters/perf_backend.hpp"
#include "counters/perf_events.hpp"
#include "harness/platform/pool.hpp"
#include "tests/counters/fake_perf.hpp"

using namespace cromwell;
using cromwell::test::FakeEvent;
using cromwell::test::FakePerf;
using cromwell::test::Period;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("cromwell-replay-" + std::to_string(getpid()) + "-" + std::to_string(next()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int next() {
    static int n = 0;
    return ++n;
  }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text << "\n";
}

// One group of raw events on a made-up PMU with room for all of them in one pass.
constexpr unsigned kCycles = 0x76, kInstructions = 0xc0, kFills = 0x44;
const char* kGroup =
    "DESCRIPTION replay\n"
    "EVENTS\n"
    "cycles        event=0x76 must-count\n"
    "instructions  event=0xc0 must-count\n"
    "l3_accesses   event=0x44,umask=0x4e\n"
    "l3_misses     event=0x44,umask=0x48\n"
    "METRICS\n"
    "ipc          = instructions / cycles     | replay\n"
    "l3_miss_rate = l3_misses / l3_accesses   | replay\n";

struct Replay {
  TempDir dir;
  std::shared_ptr<FakePerf> sys = std::make_shared<FakePerf>();
  Replay() { write(dir.path / "replay" / "CORE.txt", kGroup); }
  // Runs `loops` timed loops of one call each on one pool thread; the metrics by name.
  std::map<std::string, Metric> run(int loops) {
    auto backend = make_perf_backend(Pmu{"replay", "a replayed PMU", 16, false}, dir.path.string(), sys);
    Pool pool(1, {});
    auto session = backend->open(pool);
    for (int i = 0; i < loops; ++i) {
      session->start();
      session->stop(1);
    }
    std::map<std::string, Metric> out;
    for (const auto& m : session->finish()) out[m.name] = m;
    return out;
  }
};

bool is(const FakeEvent& e, unsigned event, unsigned umask = 0) { return e.attr.config == FakePerf::raw(event, umask); }

}  // namespace

TEST_CASE("multiplexed counts are scaled by the times of their own region, not the group's whole life") {
  Replay r;
  // The first loop runs the whole time, the second a quarter of it: 250 counted stand for 1000.
  r.sys->times = [](int n) { return n == 0 ? Period{1000, 1000} : Period{1000, 250}; };
  r.sys->counts = [](const FakeEvent&, int n) -> std::uint64_t { return n == 0 ? 1000 : 250; };
  const auto m = r.run(2);
  REQUIRE(m.at("instructions").value);
  // By deltas: (1000 + 250·1000/250) / 2 calls = 1000. Cumulative times would give
  // (1000 + 250·2000/1250) / 2 = 700.
  CHECK(*m.at("instructions").value == Approx(1000));
  CHECK_THAT(m.at("instructions").reason, Catch::Contains("instructions: multiplexed, scaled from 25% coverage"));
  CHECK_THAT(m.at("ipc").reason, Catch::Contains("multiplexed"));
  // Every event was opened as the kernel wants it: user mode, this thread, read as one group.
  REQUIRE(r.sys->events.size() == 4);
  for (const auto& e : r.sys->events) {
    CHECK(e.attr.exclude_kernel == 1);
    CHECK(e.cpu == -1);
    CHECK(e.pid > 0);
    CHECK(e.attr.read_format ==
          (PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING));
    CHECK(e.attr.sample_period == 0);
  }
  CHECK(r.sys->events[0].group_fd == -1);
  CHECK(r.sys->events[1].group_fd == r.sys->events[0].fd);
}

TEST_CASE("an event that does not open empties only what depends on it, naming the event and errno") {
  for (const auto& [err, text] : std::vector<std::pair<int, std::string>>{
           {ENOENT, "No such file or directory"}, {EACCES, "Permission denied"}, {EINVAL, "Invalid argument"}}) {
    INFO(text);
    Replay r;
    r.sys->fail = [err = err](const FakeEvent& e) { return is(e, kFills, 0x4e) ? err : 0; };
    const auto m = r.run(2);
    CHECK(m.at("cycles").value);
    CHECK(m.at("instructions").value);
    CHECK(m.at("ipc").value);
    CHECK(m.at("l3_misses").value);
    CHECK(!m.at("l3_accesses").value);
    CHECK(!m.at("l3_miss_rate").value);
    for (const char* col : {"l3_accesses", "l3_miss_rate"}) {
      CHECK_THAT(m.at(col).reason, Catch::StartsWith("l3_accesses: perf_event_open: " + text));
    }
    CHECK(m.at("cycles").reason.empty());
  }
  SECTION("the advice follows the errno") {
    CHECK_THAT(perf_errno_advice(EACCES), Catch::Contains("perf_event_paranoid"));
    CHECK_THAT(perf_errno_advice(ENOENT), Catch::Contains("does not know this event"));
    CHECK_THAT(perf_errno_advice(EINVAL), Catch::Contains("refused the event"));
  }
  SECTION("when the leader fails, the next event leads") {
    Replay r;
    r.sys->fail = [](const FakeEvent& e) { return is(e, kCycles) ? ENOENT : 0; };
    const auto m = r.run(1);
    CHECK(!m.at("cycles").value);
    CHECK(m.at("instructions").value);
    REQUIRE(r.sys->events.size() == 3);
    CHECK(r.sys->events[0].group_fd == -1);
    CHECK(r.sys->events[0].attr.disabled == 1);
    CHECK(r.sys->events[1].group_fd == r.sys->events[0].fd);
  }
}

TEST_CASE("a must-count event stuck at 0 is reported empty, a true 0 of another event is a value") {
  Replay r;
  r.sys->counts = [](const FakeEvent& e, int) -> std::uint64_t {
    if (is(e, kCycles) || is(e, kFills, 0x48)) return 0;  // cycles stuck; no L3 miss (an L2-resident kernel)
    return 2'000'000;
  };
  auto m = r.run(2);
  CHECK(!m.at("cycles").value);
  CHECK_THAT(m.at("cycles").reason, Catch::Contains("cycles: stuck at 0 over 4e+06 instructions"));
  CHECK(!m.at("ipc").value);
  CHECK_THAT(m.at("ipc").reason, Catch::Contains("stuck at 0"));
  REQUIRE(m.at("l3_misses").value);
  CHECK(*m.at("l3_misses").value == 0);
  CHECK(m.at("l3_misses").reason.empty());
  REQUIRE(m.at("l3_miss_rate").value);
  CHECK(*m.at("l3_miss_rate").value == 0);

  SECTION("too short a region to tell: the 0 stands") {
    Replay s;
    s.sys->counts = [](const FakeEvent& e, int) -> std::uint64_t { return is(e, kInstructions) ? 500 : 0; };
    s.sys->times = [](int) { return Period{100'000, 100'000}; };
    m = s.run(1);
    REQUIRE(m.at("cycles").value);
    CHECK(*m.at("cycles").value == 0);
  }
  SECTION("instructions stuck too: the time counted is the evidence") {
    Replay s;
    s.sys->counts = [](const FakeEvent&, int) -> std::uint64_t { return 0; };
    s.sys->times = [](int) { return Period{5'000'000, 5'000'000}; };
    m = s.run(1);
    CHECK(!m.at("instructions").value);
    CHECK_THAT(m.at("instructions").reason, Catch::Contains("stuck at 0 over 5 ms counted"));
  }
}

TEST_CASE("a group that opened but never ran gives no values, with the reason") {
  Replay r;
  r.sys->times = [](int) { return Period{1000, 0}; };
  const auto m = r.run(2);
  for (const char* name : {"cycles", "instructions", "l3_accesses", "l3_misses", "ipc", "l3_miss_rate"}) {
    INFO(name);
    CHECK(!m.at(name).value);
    CHECK_THAT(m.at(name).reason, Catch::Contains("never ran"));
  }
  // A thread that slept through the loop (neither enabled nor running) counted nothing: 0, no fault.
  Replay idle;
  idle.sys->times = [](int) { return Period{0, 0}; };
  idle.sys->counts = [](const FakeEvent&, int) -> std::uint64_t { return 0; };
  const auto z = idle.run(1);
  REQUIRE(z.at("l3_misses").value);
  CHECK(*z.at("l3_misses").value == 0);
  // A canonical column this PMU's groups do not define says so.
  CHECK_THAT(m.at("l2_misses").reason, Catch::Contains("no l2_misses event in this PMU's groups"));
}

namespace {

// A sysfs tree with an amd_l3 PMU of the given format files.
void amd_l3_tree(const fs::path& root, const std::map<std::string, std::string>& format, const std::string& cpumask) {
  const fs::path dir = root / "bus/event_source/devices/amd_l3";
  write(dir / "type", "11");
  write(dir / "cpumask", cpumask);
  for (const auto& [field, bits] : format) write(dir / "format" / field, bits);
  write(root / "bus/event_source/devices/cpu/type", "4");
}

const std::map<std::string, std::string> kZen3Format = {{"event", "config:0-7,32-35"},
                                                        {"umask", "config:8-15"},
                                                        {"slicemask", "config:48-51"},
                                                        {"threadmask", "config:56-63"}};
const std::map<std::string, std::string> kZen4Format = {{"event", "config:0-7,32-35"}, {"umask", "config:8-15"},
                                                        {"enallslices", "config:46"},  {"enallcores", "config:47"},
                                                        {"sliceid", "config:48-50"},   {"threadmask", "config:56-57"}};

}  // namespace

TEST_CASE("format files place each field in its bits") {
  TempDir d;
  write(d.path / "event", "config:0-7,32-35");
  write(d.path / "umask", "config:8-15");
  write(d.path / "enallcores", "config:47");
  CHECK(encode_with_format(d.path.string(), {{"event", 0x04}, {"umask", 0xff}}) == 0xff04);
  CHECK(encode_with_format(d.path.string(), {{"event", 0x165}, {"umask", 0x48}}) == ((1ull << 32) | 0x4865));
  CHECK(encode_with_format(d.path.string(), {{"enallcores", 1}}) == (1ull << 47));
  CHECK_THROWS_WITH(encode_with_format(d.path.string(), {{"umask", 0x1ff}}), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(encode_with_format(d.path.string(), {{"sliceid", 1}}), Catch::Contains("sliceid"));
  CHECK(parse_cpu_list("0,6") == std::vector<int>{0, 6});
  CHECK(parse_cpu_list("0-2,8") == std::vector<int>{0, 1, 2, 8});
}

TEST_CASE("the amd_l3 PMU counts every CCX on one CPU each, summed, with no exclude bits") {
  for (const auto* format : {&kZen3Format, &kZen4Format}) {
    TempDir d;
    amd_l3_tree(d.path, *format, "0,6");
    auto sys = std::make_shared<FakePerf>();
    sys->root = d.path.string();
    sys->counts = [](const FakeEvent& e, int) -> std::uint64_t {
      const bool miss = ((e.attr.config >> 8) & 0xff) == 0x01;
      return (e.cpu == 0 ? 1000 : 500) / (miss ? 10 : 1);
    };
    const AmdL3Pmu pmu = discover_amd_l3("zen3", sys);
    INFO(pmu.state);
    REQUIRE(pmu.why_not.empty());
    CHECK_THAT(pmu.state, Catch::Contains("2 CCX(s)"));
    AmdL3Session session(pmu);
    for (int i = 0; i < 3; ++i) {
      session.start();
      session.stop(2);
    }
    const auto m = session.finish();
    REQUIRE(m.size() == 2);
    CHECK(m[0].name == "l3_lookups_ccx");
    REQUIRE(m[0].value);
    CHECK(*m[0].value == Approx(3 * 1500 / 6.0));
    REQUIRE(m[1].value);
    CHECK(*m[1].value == Approx(3 * 150 / 6.0));
    REQUIRE(sys->events.size() == 4);
    for (const auto& e : sys->events) {
      CHECK(e.attr.type == 11);
      CHECK(e.pid == -1);
      CHECK((e.cpu == 0 || e.cpu == 6));
      CHECK(e.attr.exclude_kernel == 0);
      CHECK(e.attr.exclude_user == 0);
      CHECK(e.attr.exclude_hv == 0);
      CHECK(e.attr.sample_period == 0);
      CHECK((e.attr.config == 0xff04 || e.attr.config == 0x0104));
    }
  }
}

TEST_CASE("the amd_l3 columns say whether the PMU is absent, refused or not offered") {
  SECTION("absent, as in a VM") {
    TempDir d;
    for (const char* s : {"breakpoint", "msr", "software", "tracepoint", "uprobe"})
      write(d.path / "bus/event_source/devices" / s / "type", "1");
    auto sys = std::make_shared<FakePerf>();
    sys->root = d.path.string();
    const AmdL3Pmu pmu = discover_amd_l3("zen4", sys);
    CHECK(pmu.offered);
    CHECK_THAT(pmu.why_not,
               Catch::Contains("no amd_l3 PMU here (event sources: breakpoint, msr, software, tracepoint, uprobe)"));
    for (const auto& m : AmdL3Session(pmu).finish()) {
      CHECK(!m.value);
      CHECK(m.reason == pmu.why_not);
    }
  }
  SECTION("present, not permitted") {
    TempDir d;
    amd_l3_tree(d.path, kZen4Format, "0");
    auto sys = std::make_shared<FakePerf>();
    sys->root = d.path.string();
    sys->fail = [](const FakeEvent& e) { return e.pid == -1 ? EACCES : 0; };
    AmdL3Session session(discover_amd_l3("zen4", sys));
    session.start();
    session.stop(1);
    for (const auto& m : session.finish()) {
      CHECK(!m.value);
      CHECK_THAT(m.reason, Catch::Contains("not permitted"));
      CHECK_THAT(m.reason, Catch::Contains("kernel.perf_event_paranoid=0"));
      CHECK_THAT(m.reason, Catch::Contains("cap_perfmon"));
    }
  }
  SECTION("a format it cannot read") {
    TempDir d;
    amd_l3_tree(d.path, {{"event", "config:0-7"}}, "0");
    auto sys = std::make_shared<FakePerf>();
    sys->root = d.path.string();
    CHECK_THAT(discover_amd_l3("zen3", sys).why_not, Catch::Contains("umask"));
  }
  SECTION("not a Zen: no columns") {
    auto sys = std::make_shared<FakePerf>();
    CHECK(!discover_amd_l3("skl", sys).offered);
  }
  SECTION("through the perf backend, the columns and the scope carry the state") {
    TempDir d;
    write(d.path / "bus/event_source/devices/software/type", "1");
    auto sys = std::make_shared<FakePerf>();
    sys->root = d.path.string();
    auto backend = make_perf_backend(pmu_for("AuthenticAMD", 0x19, 0x21), "", sys);
    const auto cols = backend->columns();
    CHECK(std::count(cols.begin(), cols.end(), "l3_lookups_ccx") == 1);
    CHECK_THAT(backend->scope(), Catch::Contains("no amd_l3 PMU here"));
  }
}
