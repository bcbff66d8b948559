#include "harness/run/held.hpp"

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "harness/core/registry.hpp"
#include "harness/platform/isa.hpp"
#include "harness/run/prepare.hpp"
#include "harness/run/timing.hpp"

namespace cromwell {
namespace {

struct Replica {
  Prepared prepared;
  std::size_t calls = 0;  // calls made so far (the cold rotation continues across repetitions)
};

struct Held {
  std::string key;
  std::map<int, Replica> replicas;
};

Held& held() {
  static Held* h = new Held;  // never destroyed: the worker exits with instances still held
  return *h;
}

std::string failure(const std::string& key, const std::string& status, const std::string& why) {
  return nlohmann::json{{"key", key}, {"status", status}, {"error", why}}.dump();
}

}  // namespace

std::string serve_repetition(const ChildTask& task, const MeasureOptions& opt) {
  Held& h = held();
  if (h.key != task.target) {
    h.replicas.clear();  // another config: the memory of this one goes first
    h.key = task.target;
  }
  try {
    auto it = h.replicas.find(task.replica);
    if (it == h.replicas.end()) {
      Config c = parse_key(task.target);
      const Registry& reg = Registry::get();
      reg.validate(c);
      const VariantEntry* v = reg.variant(c.id());
      if (auto missing = missing_isa(v->isa); !missing.empty())
        return failure(task.target, "unsupported", "this CPU lacks " + missing);
      Prepared p = prepare(c, *v, {opt.seed, opt.cold_bytes, /*check=*/true, /*warm=*/true});
      if (!p.check.ok) return failure(task.target, "failed", p.check.detail);
      it = h.replicas.emplace(task.replica, Replica{std::move(p)}).first;
    }
    Prepared& p = it->second.prepared;
    std::size_t& calls = it->second.calls;
    const auto pin = p.pin();
    const auto call = [&p](std::size_t i) { p.call(i); };
    const std::int64_t n = task.calls > 0 ? task.calls : iterations_for(call, opt.timing, calls, p.warm_ns_per_call);
    const double ns = time_repetition(task.target, call, n, calls);
    return nlohmann::json{{"key", task.target}, {"replica", task.replica}, {"iterations", n}, {"ns_per_call", ns}}
        .dump();
  } catch (const std::exception& e) {
    h.replicas.erase(task.replica);
    return failure(task.target, "error", e.what());
  }
}

}  // namespace cromwell
