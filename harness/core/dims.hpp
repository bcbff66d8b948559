#pragma once
// Dims: a kernel's shape as ordered name → size pairs, the form shapes take on the command line
// (`m:1024,n:1024,k:1024`), in keys and in CSV columns.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cromwell {

struct Dims {
  std::vector<std::pair<std::string, std::int64_t>> items;

  std::int64_t at(std::string_view name) const;  // throws if absent
  const std::int64_t* find(std::string_view name) const;
  void set(std::string_view name, std::int64_t value);
  bool operator==(const Dims&) const = default;
  std::string str() const;  // "m:1024,n:1024,k:1024"
};

// Parses "m:1024,n:1024,k:1024" (sizes ≥ 1). Throws std::invalid_argument naming the bad part.
Dims parse_dims(std::string_view text);

}  // namespace cromwell
