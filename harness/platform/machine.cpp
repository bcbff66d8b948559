#include "harness/platform/machine.hpp"

#include <cpuid.h>
#include <cctype>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace cromwell {
namespace {

// The design target (Ryzen 9 5900X, Zen 3), used when the machine reports nothing plausible.
constexpr CacheSizes kZen3{32 << 10, 512 << 10, 32 << 20, ""};
// Above these, a reported size is a VM artefact (a VM here reports an L3 of 508 MiB).
constexpr std::int64_t kMaxL1d = 256 << 10, kMaxL2 = 8 << 20, kMaxL3 = 256 << 20;

std::optional<std::int64_t> sysfs_cache(int level, const char* type) {
  for (int index = 0; index < 8; ++index) {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu0/cache/index{}/", index);
    std::ifstream lv(dir + "level"), ty(dir + "type"), sz(dir + "size");
    int l = 0;
    std::string t, s;
    if (!(lv >> l) || !(ty >> t) || !(sz >> s)) continue;
    if (l == level && (t == type || t == "Unified")) {
      try {
        return parse_bytes(s);
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> cpuid_cache(int level) {
  // Deterministic cache parameters: leaf 4 (Intel) or 0x8000001D (AMD).
  unsigned a, b, c, d;
  __cpuid(0, a, b, c, d);
  const bool amd = b == 0x68747541;  // "Auth"
  const unsigned leaf = amd ? 0x8000001D : 4;
  for (unsigned sub = 0; sub < 8; ++sub) {
    if (!__get_cpuid_count(leaf, sub, &a, &b, &c, &d)) return std::nullopt;
    const unsigned type = a & 0x1f, lvl = (a >> 5) & 7;
    if (type == 0) break;
    if (lvl == static_cast<unsigned>(level) && type != 2) {
      const std::int64_t ways = ((b >> 22) & 0x3ff) + 1, parts = ((b >> 12) & 0x3ff) + 1, line = (b & 0xfff) + 1,
                         sets = std::int64_t(c) + 1;
      return ways * parts * line * sets;
    }
  }
  return std::nullopt;
}

std::optional<CacheSizes> g_override;

}  // namespace

std::int64_t parse_bytes(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) throw std::invalid_argument(fmt::format("'{}' is not a size (examples: 32K, 512KiB, 32M)", text));
  std::int64_t v = std::stoll(text.substr(0, i));
  std::string unit = text.substr(i);
  for (auto& ch : unit) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (unit == "" || unit == "B") return v;
  if (unit == "K" || unit == "KB" || unit == "KIB") return v << 10;
  if (unit == "M" || unit == "MB" || unit == "MIB") return v << 20;
  if (unit == "G" || unit == "GB" || unit == "GIB") return v << 30;
  throw std::invalid_argument(fmt::format("'{}': unknown size unit '{}' (use K, M or G)", text, unit));
}

CacheSizes cache_sizes(const std::string& spec) {
  if (!spec.empty()) {
    CacheSizes c = kZen3;
    c.source = "override";
    std::size_t pos = 0;
    while (pos <= spec.size()) {
      const std::size_t end = std::min(spec.find(',', pos), spec.size());
      const std::string part = spec.substr(pos, end - pos);
      const std::size_t eq = part.find('=');
      if (eq == std::string::npos)
        throw std::invalid_argument(
            fmt::format("--caches '{}': '{}' is not level=size (example: l1d=32K,l2=512K,l3=32M)", spec, part));
      const std::string level = part.substr(0, eq);
      const std::int64_t bytes = parse_bytes(part.substr(eq + 1));
      if (bytes <= 0) throw std::invalid_argument(fmt::format("--caches '{}': {} must be > 0", spec, level));
      if (level == "l1d")
        c.l1d = bytes;
      else if (level == "l2")
        c.l2 = bytes;
      else if (level == "l3")
        c.l3 = bytes;
      else
        throw std::invalid_argument(
            fmt::format("--caches '{}': unknown level '{}' (allowed: l1d, l2, l3)", spec, level));
      pos = end + 1;
    }
    return c;
  }
  CacheSizes c;
  std::vector<std::string> notes;
  auto pick = [&](int level, const char* type, std::int64_t cap, std::int64_t fallback,
                  const char* name) -> std::int64_t {
    if (auto v = sysfs_cache(level, type); v && *v > 0 && *v <= cap) {
      notes.push_back(fmt::format("{} sysfs", name));
      return *v;
    }
    if (auto v = cpuid_cache(level); v && *v > 0 && *v <= cap) {
      notes.push_back(fmt::format("{} cpuid", name));
      return *v;
    }
    notes.push_back(fmt::format("{} default (reported size missing or implausible)", name));
    return fallback;
  };
  c.l1d = pick(1, "Data", kMaxL1d, kZen3.l1d, "l1d");
  c.l2 = pick(2, "Unified", kMaxL2, kZen3.l2, "l2");
  c.l3 = pick(3, "Unified", kMaxL3, kZen3.l3, "l3");
  for (const auto& n : notes) c.source += (c.source.empty() ? "" : "; ") + n;
  return c;
}

void set_cache_override(const std::string& spec) {
  if (spec.empty())
    g_override.reset();
  else
    g_override = cache_sizes(spec);
}

CacheSizes& detected_caches() {
  static CacheSizes detected = cache_sizes("");
  return detected;
}

void set_measured_caches(const CacheSizes& measured) {
  CacheSizes c = cache_sizes("");
  std::vector<std::string> notes;
  const auto use = [&](std::int64_t& size, std::int64_t value, const char* name) {
    const std::string fallback = fmt::format("{} default (reported size missing or implausible)", name);
    if (value <= 0 || c.source.find(fallback) == std::string::npos) return;
    size = value;
    c.source.replace(c.source.find(fallback), fallback.size(), fmt::format("{} {}", name, measured.source));
  };
  use(c.l1d, measured.l1d, "l1d");
  use(c.l2, measured.l2, "l2");
  use(c.l3, measured.l3, "l3");
  detected_caches() = c;
}

const CacheSizes& machine_caches() { return g_override ? *g_override : detected_caches(); }

MemoryAvailable memory_available() {
  MemoryAvailable m{0, "MemAvailable in /proc/meminfo"};
  std::ifstream meminfo("/proc/meminfo");
  for (std::string name; meminfo >> name;) {
    std::int64_t kib = 0;
    meminfo >> kib;
    if (name == "MemAvailable:") m.bytes = kib * 1024;
    meminfo.ignore(1 << 10, '\n');
  }
  // cgroup v2: the limit of this process's group ("max" when none).
  std::ifstream group("/proc/self/cgroup");
  std::string line, path;
  while (std::getline(group, line))
    if (line.rfind("0::", 0) == 0) path = line.substr(3);
  std::ifstream max("/sys/fs/cgroup" + path + "/memory.max"), current("/sys/fs/cgroup" + path + "/memory.current");
  std::string limit;
  std::int64_t used = 0;
  if (max >> limit && limit != "max" && current >> used) {
    const std::int64_t left = std::stoll(limit) - used;
    if (left < m.bytes) m = {left, "the memory.max of cgroup " + path + " less its memory.current"};
  }
  return m;
}

}  // namespace cromwell
