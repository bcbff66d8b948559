#include "harness/core/request.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace cromwell {
namespace {

using Json = nlohmann::ordered_json;

constexpr ChildTask::Kind kKinds[] = {ChildTask::Kind::measure, ChildTask::Kind::calls, ChildTask::Kind::known,
                                      ChildTask::Kind::describe, ChildTask::Kind::repetition};

// Reads field `name` of `j` as T; the message names the whole path ("options.timing.repetitions").
template <class T>
T field(const Json& j, const char* name, const std::string& path) {
  const std::string where = path.empty() ? name : path + "." + name;
  if (!j.contains(name)) throw std::invalid_argument(fmt::format("child request: missing field '{}'", where));
  try {
    return j.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(
        fmt::format("child request: field '{}' has the wrong type ({})", where, j.at(name).dump()));
  }
}

}  // namespace

std::string_view to_string(ChildTask::Kind k) {
  switch (k) {
    case ChildTask::Kind::measure:
      return "measure";
    case ChildTask::Kind::calls:
      return "calls";
    case ChildTask::Kind::known:
      return "known";
    case ChildTask::Kind::describe:
      return "describe";
    case ChildTask::Kind::repetition:
      return "repetition";
  }
  return "?";
}

std::string encode_request(const ChildRequest& r) {
  const MeasureOptions& o = r.options;
  Json j;
  j["task"] = {{"kind", to_string(r.task.kind)}, {"target", r.task.target}, {"calls", r.task.calls},
               {"check", r.task.check},          {"time", r.task.time},     {"replica", r.task.replica}};
  j["options"] = {
      {"timing",
       {{"repetitions", o.timing.repetitions}, {"min_time", o.timing.min_time}, {"calibrate", o.timing.calibrate}}},
      {"seed", o.seed},
      {"cold_bytes", o.cold_bytes},
      {"caches", o.caches},
      {"counters",
       {{"backend", o.counters.backend},
        {"groups_dir", o.counters.groups_dir},
        {"cache_model", o.counters.cache_model},
        {"sim_calls", o.counters.sim_calls}}}};
  return j.dump();
}

ChildRequest decode_request(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(fmt::format("child request: not JSON ({})", e.what()));
  }
  ChildRequest r;
  const Json& t =
      j.contains("task") ? j.at("task") : throw std::invalid_argument("child request: missing field 'task'");
  const auto kind = field<std::string>(t, "kind", "task");
  bool known = false;
  for (auto k : kKinds)
    if (to_string(k) == kind) r.task.kind = k, known = true;
  if (!known)
    throw std::invalid_argument(
        fmt::format("child request: task.kind '{}' is not one of measure, calls, known, describe, repetition", kind));
  r.task.target = field<std::string>(t, "target", "task");
  r.task.calls = field<long>(t, "calls", "task");
  r.task.check = field<bool>(t, "check", "task");
  r.task.time = field<bool>(t, "time", "task");
  r.task.replica = t.contains("replica") ? field<int>(t, "replica", "task") : 0;
  const Json& o =
      j.contains("options") ? j.at("options") : throw std::invalid_argument("child request: missing field 'options'");
  const auto timing = field<Json>(o, "timing", "options");
  r.options.timing.repetitions = field<int>(timing, "repetitions", "options.timing");
  r.options.timing.min_time = field<double>(timing, "min_time", "options.timing");
  r.options.timing.calibrate = field<bool>(timing, "calibrate", "options.timing");
  r.options.seed = field<std::uint64_t>(o, "seed", "options");
  r.options.cold_bytes = field<std::size_t>(o, "cold_bytes", "options");
  r.options.caches = field<std::string>(o, "caches", "options");
  const auto counters = field<Json>(o, "counters", "options");
  r.options.counters.backend = field<std::string>(counters, "backend", "options.counters");
  r.options.counters.groups_dir = field<std::string>(counters, "groups_dir", "options.counters");
  r.options.counters.cache_model = field<std::string>(counters, "cache_model", "options.counters");
  r.options.counters.sim_calls = field<long>(counters, "sim_calls", "options.counters");
  return r;
}

}  // namespace cromwell
