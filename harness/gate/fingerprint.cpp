#include "harness/gate/fingerprint.hpp"

#include <fmt/format.h>

namespace cromwell {
namespace {

std::string field(const nlohmann::ordered_json& ctx, const nlohmann::ordered_json::json_pointer& at) {
  if (!ctx.is_object() || !ctx.contains(at)) return "";
  const auto& v = ctx[at];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

Fingerprint counts_fingerprint(const nlohmann::ordered_json& ctx) {
  using P = nlohmann::ordered_json::json_pointer;
  return {{"compiler", field(ctx, P("/compiler"))},
          {"build_type", field(ctx, P("/build_type"))},
          {"build_flags", field(ctx, P("/build_flags"))},
          {"counters_backend", field(ctx, P("/counters_backend"))},
          {"valgrind", field(ctx, P("/valgrind"))}};
}

Fingerprint times_fingerprint(const nlohmann::ordered_json& ctx) {
  using P = nlohmann::ordered_json::json_pointer;
  std::string cpus;
  if (ctx.is_object() && ctx.contains(P("/topology/cpus")) && ctx[P("/topology/cpus")].is_array())
    cpus = std::to_string(ctx[P("/topology/cpus")].size());
  return {{"cpu", field(ctx, P("/cpu/name"))}, {"cpus", cpus}, {"memory_bytes", field(ctx, P("/memory_bytes"))}};
}

std::vector<std::string> differences(const Fingerprint& a, const Fingerprint& b) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (a[i].second != b[i].second)
      out.push_back(fmt::format("{}: {} in the baseline, {} in the candidate", a[i].first,
                                a[i].second.empty() ? "(not recorded)" : a[i].second,
                                b[i].second.empty() ? "(not recorded)" : b[i].second));
  return out;
}

}  // namespace cromwell
