#include "harness/core/param.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty()) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Param Param::integer(std::string name, std::int64_t lo, std::int64_t hi, std::vector<std::int64_t> sweep,
                     std::int64_t fallback, std::string unit, std::string help) {
  Param p;
  p.name = std::move(name);
  p.lo = lo;
  p.hi = hi;
  for (auto v : sweep) p.sweep.push_back(std::to_string(v));
  p.fallback = std::to_string(fallback);
  p.unit = std::move(unit);
  p.help = std::move(help);
  return p;
}

Param Param::choice(std::string name, std::vector<std::string> choices, std::vector<std::string> sweep,
                    std::string fallback, std::string help) {
  Param p;
  p.name = std::move(name);
  p.choices = std::move(choices);
  p.sweep = std::move(sweep);
  p.fallback = std::move(fallback);
  p.help = std::move(help);
  return p;
}

std::string Param::allowed() const {
  if (!is_integer()) {
    std::string s;
    for (const auto& c : choices) s += (s.empty() ? "" : "|") + c;
    return s;
  }
  std::string s = fmt::format("{}..{}", lo, hi);
  if (multiple_of > 1) s += fmt::format(", multiple of {}", multiple_of);
  return s;
}

std::string Param::validate(std::string_view value) const {
  if (!is_integer()) {
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return "";
    return fmt::format("{}={} is not valid: allowed {}", name, value, allowed());
  }
  const auto v = to_int(value);
  if (!v) return fmt::format("{}={} is not an integer: allowed {}", name, value, allowed());
  if (*v < lo || *v > hi || *v % multiple_of != 0)
    return fmt::format("{}={} is not valid: allowed {}", name, value, allowed());
  return "";
}

std::vector<std::string> expand_values(const Param& p, std::string_view list) {
  // No sweep tries this many values of one param: a list that long is a slip (a missing step, a
  // bound too far), refused before it takes seconds to enumerate. Every value counts, repeated or not.
  constexpr std::size_t kMaxValues = 10000;
  std::vector<std::string> out;
  std::set<std::string> seen;  // no linear search per value
  std::size_t given = 0;
  auto add = [&](std::string v) {
    if (++given > kMaxValues)
      throw std::invalid_argument(
          fmt::format("--set {}={}: more than {} values (narrow the range or give a step: lo..hi:step, lo..hi*factor)",
                      p.name, list, kMaxValues));
    if (seen.insert(v).second) out.push_back(std::move(v));
  };
  for (const std::string& part : split(list, ',')) {
    const std::string_view item = part;
    if (item.empty()) throw std::invalid_argument(fmt::format("--set {}={}: empty value in the list", p.name, list));
    const std::size_t dots = item.find("..");
    if (dots == std::string_view::npos) {
      add(std::string(item));
      continue;
    }
    if (!p.is_integer())
      throw std::invalid_argument(fmt::format("--set {}={}: a range is only allowed for integer params; allowed {}",
                                              p.name, item, p.allowed()));
    const std::string_view lo_s = item.substr(0, dots);
    std::string_view rest = item.substr(dots + 2);
    char op = '+';
    std::int64_t step = 1;
    if (const std::size_t at = rest.find_first_of(":*"); at != std::string_view::npos) {
      op = rest[at] == '*' ? '*' : '+';
      const auto s = to_int(rest.substr(at + 1));
      if (!s || *s < (op == '*' ? 2 : 1))
        throw std::invalid_argument(
            fmt::format("--set {}={}: step '{}' must be an integer ≥ {} (forms: lo..hi, lo..hi:step, lo..hi*factor)",
                        p.name, item, rest.substr(at + 1), op == '*' ? 2 : 1));
      step = *s;
      rest = rest.substr(0, at);
    }
    const auto lo = to_int(lo_s), hi = to_int(rest);
    if (!lo || !hi || *lo > *hi)
      throw std::invalid_argument(fmt::format(
          "--set {}={}: malformed range (forms: lo..hi, lo..hi:step, lo..hi*factor with lo ≤ hi)", p.name, item));
    if (op == '*' && *lo <= 0)
      throw std::invalid_argument(fmt::format("--set {}={}: a geometric range needs lo ≥ 1", p.name, item));
    // A value outside the param's bounds fails validation below: the range stops there, so that
    // 0..9223372036854775807 is refused at once instead of enumerated (or overflowing).
    for (std::int64_t v = *lo; v <= *hi;) {
      add(std::to_string(v));
      if (v < p.lo || v > p.hi) break;
      if (op == '*' ? __builtin_mul_overflow(v, step, &v) : __builtin_add_overflow(v, step, &v)) break;
    }
  }
  for (const auto& v : out)
    if (auto why = p.validate(v); !why.empty()) throw std::invalid_argument(why);
  return out;
}

const std::string* ParamValues::find(std::string_view name) const {
  for (const auto& [k, v] : items)
    if (k == name) return &v;
  return nullptr;
}

const std::string& ParamValues::str(std::string_view name) const {
  if (const auto* v = find(name)) return *v;
  throw std::invalid_argument(fmt::format("config has no parameter '{}'", name));
}

std::int64_t ParamValues::integer(std::string_view name) const {
  const auto v = to_int(str(name));
  if (!v) throw std::invalid_argument(fmt::format("parameter {}={} is not an integer", name, str(name)));
  return *v;
}

}  // namespace cromwell
