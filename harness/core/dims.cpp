#include "harness/core/dims.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cromwell {

const std::int64_t* Dims::find(std::string_view name) const {
  for (const auto& [k, v] : items)
    if (k == name) return &v;
  return nullptr;
}

std::int64_t Dims::at(std::string_view name) const {
  if (const auto* v = find(name)) return *v;
  throw std::invalid_argument(fmt::format("shape has no dimension '{}'", name));
}

void Dims::set(std::string_view name, std::int64_t value) {
  for (auto& [k, v] : items)
    if (k == name) {
      v = value;
      return;
    }
  items.emplace_back(std::string(name), value);
}

std::string Dims::str() const {
  std::string s;
  for (const auto& [k, v] : items) s += fmt::format("{}{}:{}", s.empty() ? "" : ",", k, v);
  return s;
}

Dims parse_dims(std::string_view text) {
  Dims d;
  if (text.empty()) throw std::invalid_argument("empty shape: expected name:size pairs such as m:1024,n:1024,k:1024");
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(',', pos), text.size());
    const std::string_view part = text.substr(pos, end - pos);
    const std::size_t colon = part.find(':');
    if (colon == std::string_view::npos || colon == 0)
      throw std::invalid_argument(
          fmt::format("malformed shape '{}': '{}' is not name:size (example: m:1024,n:1024,k:1024)", text, part));
    const std::string_view name = part.substr(0, colon), value = part.substr(colon + 1);
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || value.empty())
      throw std::invalid_argument(
          fmt::format("malformed shape '{}': size of '{}' is '{}', not an integer", text, name, value));
    if (v < 1) throw std::invalid_argument(fmt::format("malformed shape '{}': {} = {} must be ≥ 1", text, name, v));
    if (d.find(name)) throw std::invalid_argument(fmt::format("malformed shape '{}': '{}' given twice", text, name));
    d.items.emplace_back(std::string(name), v);
    pos = end + 1;
  }
  return d;
}

void check_dims(std::string_view kernel, std::span<const std::string_view> names, const Dims& d) {
  for (const auto& [name, size] : d.items) {
    bool known = false;
    for (auto n : names) known = known || n == name;
    if (!known)
      throw std::invalid_argument(
          fmt::format("{} has no dimension '{}' (dims: {})", kernel, name, fmt::join(names, ", ")));
    if (size < 1) throw std::invalid_argument(fmt::format("{}: {} = {} must be ≥ 1", kernel, name, size));
  }
}

}  // namespace cromwell
