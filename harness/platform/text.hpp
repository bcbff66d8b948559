#pragma once
// Small text helpers shared by every layer: split on a separator, join with one.
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

// "a,b,,c" on ',' -> {"a", "b", "", "c"}; "" -> {""}.
std::vector<std::string> split(std::string_view text, char sep);
// {"a", "b"} with ", " -> "a, b".
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace cromwell
