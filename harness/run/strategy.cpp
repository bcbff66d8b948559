#include "harness/run/strategy.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {

std::string Strategy::text() const {
  switch (kind) {
    case Kind::grid:
      return "grid";
    case Kind::random:
      return fmt::format("random:{}", trials);
    case Kind::search:
      return fmt::format("search:{}", trials);
  }
  return "grid";
}

Strategy parse_strategy(std::string_view text) {
  const auto bad = [&] {
    return std::invalid_argument(fmt::format(
        "strategy '{}': expected grid, random:N or search:N (N a whole number ≥ 1, the configs to measure)", text));
  };
  if (text == "grid") return {};
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) throw bad();
  const std::string_view name = text.substr(0, colon), count = text.substr(colon + 1);
  Strategy s;
  if (name == "random")
    s.kind = Strategy::Kind::random;
  else if (name == "search")
    s.kind = Strategy::Kind::search;
  else
    throw bad();
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), s.trials);
  if (ec != std::errc{} || end != count.data() + count.size() || s.trials < 1) throw bad();
  return s;
}

std::string Objective::text() const { return maximize ? "max:" + metric : metric; }

Objective parse_objective(std::string_view text) {
  Objective o;
  std::string_view name = text;
  if (text.starts_with("min:")) {
    name = text.substr(4);
  } else if (text.starts_with("max:")) {
    name = text.substr(4);
    o.maximize = true;
  }
  if (name.empty() || name.find_first_of(" :,") != std::string_view::npos)
    throw std::invalid_argument(
        fmt::format("objective '{}': expected a column name, optionally prefixed min: or max: (e.g. time_ns, "
                    "max:gflops, min:l3_miss_rate)",
                    text));
  o.metric = std::string(name);
  return o;
}

}  // namespace cromwell
