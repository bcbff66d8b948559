#include "harness/run/identity.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "harness/core/request.hpp"
#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

const nlohmann::ordered_json* at(const nlohmann::ordered_json& j, const std::vector<const char*>& path) {
  const nlohmann::ordered_json* p = &j;
  for (const char* k : path) {
    if (!p->is_object() || !p->contains(k)) return nullptr;
    p = &(*p)[k];
  }
  return p;
}

}  // namespace

std::string sweep_hash(const Plan& full, const SweepSettings& s) {
  Fnv f;
  for (const auto& pc : full.configs) f.add(pc.config.key());
  f.add(encode_request({ChildTask{}, s.measure}));
  f.add(s.strategy.text());
  f.add(s.objective.text());
  f.add(std::to_string(s.search_seed));
  return fmt::format("{:016x}", f.h);
}

std::vector<std::string> resume_mismatches(const nlohmann::ordered_json& file, const nlohmann::ordered_json& now) {
  std::vector<std::string> out;
  const std::pair<const char*, std::vector<const char*>> fields[] = {
      {"sweep.hash (the expanded keys and measurement settings)", {"sweep", "hash"}},
      {"sweep.shard", {"sweep", "shard"}},
      {"cromwell.git_commit", {"cromwell", "git_commit"}},
      {"build_flags", {"build_flags"}},
      {"build_type", {"build_type"}},
      {"cpu.vendor", {"cpu", "vendor"}},
      {"cpu.family", {"cpu", "family"}},
      {"cpu.model", {"cpu", "model"}},
  };
  for (const auto& [name, path] : fields) {
    const auto* a = at(file, path);
    const auto* b = at(now, path);
    const std::string was = a ? a->dump() : "(absent)", is = b ? b->dump() : "(absent)";
    if (was != is) out.push_back(fmt::format("{}: {} in the file, {} now", name, was, is));
  }
  return out;
}

nlohmann::ordered_json slurm_ids() {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (!job) return nullptr;
  nlohmann::ordered_json j;
  for (const char* name : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT",
                           "SLURM_RESTART_COUNT", "SLURM_JOB_NODELIST"}) {
    const char* v = std::getenv(name);
    std::string key = std::string(name).substr(6);
    for (char& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
    j[key] = v ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  }
  return j;
}

}  // namespace cromwell
