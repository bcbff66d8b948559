// The child protocol: a request carries every option, a real child process decodes and applies each
// one, and its answer (a row of the results schema) reads back into the record it measured.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness/core/request.hpp"
#include "harness/io/jsonl.hpp"
#include "harness/platform/process.hpp"
#include "harness/run/child.hpp"
#include "harness/run/held.hpp"
#include "harness/run/measure.hpp"

using namespace cromwell;

namespace {

// Every field set to something other than its default.
ChildRequest everything_set() {
  ChildRequest r;
  r.task.kind = ChildTask::Kind::describe;
  r.task.target = "gemm.naive/m:3,n:5,k:7//threads:1,pin:none,cache:hot,align:0";
  r.task.calls = 17;
  r.task.check = false;
  r.task.time = false;
  r.task.replica = 2;
  r.options.timing.repetitions = 7;
  r.options.timing.min_time = 0.0123;
  r.options.timing.calibrate = true;
  r.options.seed = 987654321;
  r.options.cold_bytes = 3 << 20;
  r.options.caches = "l1d=48K,l2=1M,l3=96M";
  r.options.counters.backend = "sw";
  r.options.counters.groups_dir = "/some/where";
  r.options.counters.cache_model = "l1d=64K/8,l2=1M/8,l3=16M/16";
  r.options.counters.sim_calls = 3;
  return r;
}

}  // namespace

TEST_CASE("a child request round-trips every field") {
  const ChildRequest r = everything_set();
  CHECK(decode_request(encode_request(r)) == r);
  CHECK(!(ChildRequest{} == r));
  // Each field differs from the default, so a field that an encoding dropped would show.
  const ChildRequest d;
  CHECK(d.task.kind != r.task.kind);
  CHECK(d.task.target != r.task.target);
  CHECK(d.task.calls != r.task.calls);
  CHECK(d.task.check != r.task.check);
  CHECK(d.task.time != r.task.time);
  CHECK(d.task.replica != r.task.replica);
  CHECK(d.options.timing.repetitions != r.options.timing.repetitions);
  CHECK(d.options.timing.min_time != r.options.timing.min_time);
  CHECK(d.options.timing.calibrate != r.options.timing.calibrate);
  CHECK(d.options.seed != r.options.seed);
  CHECK(d.options.cold_bytes != r.options.cold_bytes);
  CHECK(d.options.caches != r.options.caches);
  CHECK(d.options.counters.backend != r.options.counters.backend);
  CHECK(d.options.counters.groups_dir != r.options.counters.groups_dir);
  CHECK(d.options.counters.cache_model != r.options.counters.cache_model);
  CHECK(d.options.counters.sim_calls != r.options.counters.sim_calls);
}

TEST_CASE("a malformed child request is refused naming the field") {
  CHECK_THROWS_WITH(decode_request("{"), Catch::Contains("not JSON"));
  auto j = nlohmann::json::parse(encode_request(everything_set()));
  j["options"]["timing"].erase("min_time");
  CHECK_THROWS_WITH(decode_request(j.dump()), Catch::Contains("missing field 'options.timing.min_time'"));
  j = nlohmann::json::parse(encode_request(everything_set()));
  j["options"]["seed"] = "many";
  CHECK_THROWS_WITH(decode_request(j.dump()), Catch::Contains("'options.seed' has the wrong type"));
  j = nlohmann::json::parse(encode_request(everything_set()));
  j["task"]["kind"] = "dance";
  CHECK_THROWS_WITH(decode_request(j.dump()), Catch::Contains("task.kind 'dance' is not one of"));
}

TEST_CASE("a child process receives and applies every option") {
  const ChildRequest r = everything_set();
  const ProcessResult p = run_process(child_argv(r.task, r.options));
  INFO(p.out);
  REQUIRE(p.ok());
  const auto answer = nlohmann::json::parse(p.out);
  // What the child decoded is what was sent, field by field.
  CHECK(decode_request(answer["request"].dump()) == r);
  // And what it applied: the cache sizes in force, the cold-cache bytes, the counter backend.
  const auto& applied = answer["applied"];
  CHECK(applied["caches"]["l1d"] == 48 << 10);
  CHECK(applied["caches"]["l2"] == 1 << 20);
  CHECK(applied["caches"]["l3"] == 96 << 20);
  CHECK(applied["caches"]["source"] == "override");
  CHECK(applied["cold_bytes"] == 3 << 20);
  CHECK(applied["counters_source"].get<std::string>().rfind("sw", 0) == 0);
}

TEST_CASE("a config measured in a child process comes back as the record it measured") {
  const Config c = parse_key("gemm.openblas/m:17,n:19,k:23/core:haswell/threads:1,pin:none,cache:hot,align:0");
  MeasureOptions opt;
  opt.timing.repetitions = 3;
  opt.timing.min_time = 0.001;
  opt.counters.backend = "sw";
  const Record r = measure_in_child(c, "OPENBLAS_CORETYPE=Haswell", opt, /*time=*/true);
  INFO(r.reason);
  REQUIRE(r.status == Status::measured);
  CHECK(r.config == c);
  CHECK(r.samples_ns.size() == 3);
  CHECK(r.repetitions == 3);
  CHECK(r.time_ns);
  CHECK(r.gflops);
  REQUIRE(r.spin_ns);  // the pool's spin time travels with the row
  CHECK(*r.spin_ns >= 0);
  CHECK(r.counters_source.rfind("sw", 0) == 0);
  CHECK_THAT(r.note, Catch::Contains("core Haswell"));
  bool task_clock = false;
  for (const auto& m : r.metrics) task_clock = task_clock || (m.name == "task_clock_ns" && m.value);
  CHECK(task_clock);
}

TEST_CASE("a child that dies is an error, not a crash of the parent") {
  const Config c = parse_key("gemm.naive/m:3,n:3,k:3//threads:1,pin:none,cache:hot,align:0");
  MeasureOptions opt;
  opt.counters.backend = "no-such-backend";  // the child refuses the request and answers nothing
  CHECK_THROWS_WITH(measure_in_child(c, "X=1", opt, true), Catch::Contains("exited with status 2 and no result"));
}

TEST_CASE("a worker holds a config for A/B repetitions and says why one cannot be timed", "[gate]") {
  MeasureOptions opt;
  opt.timing.min_time = 0.002;
  ChildTask t;
  t.kind = ChildTask::Kind::repetition;
  t.target = "gemm.naive/m:13,n:17,k:19//threads:1,pin:none,cache:hot,align:0";
  t.calls = 0;  // the worker chooses
  auto j = nlohmann::json::parse(serve_repetition(t, opt));
  REQUIRE(j.contains("ns_per_call"));
  CHECK(j["ns_per_call"].get<double>() > 0);
  const long chosen = j["iterations"].get<long>();
  CHECK(chosen >= 1);
  t.calls = 7;
  t.replica = 1;  // another instance of the same config
  j = nlohmann::json::parse(serve_repetition(t, opt));
  CHECK(j["iterations"].get<long>() == 7);
  CHECK(j["replica"].get<int>() == 1);
  t.target = "gemm.naive/m:13,n:17,k:19/tile:8/threads:1,pin:none,cache:hot,align:0";  // no such param
  j = nlohmann::json::parse(serve_repetition(t, opt));
  CHECK(j.value("status", "") == "error");
  CHECK_THAT(j.value("error", ""), Catch::Contains("gemm.naive takes 0 parameter"));
}
