#pragma once
// Small text helpers shared by every layer: split on a separator, join with one, fold numbers.
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

// "a,b,,c" on ',' -> {"a", "b", "", "c"}; "" -> {""}.
std::vector<std::string> split(std::string_view text, char sep);
// {"a", "b"} with ", " -> "a, b".
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Every number replaced by N, so that reasons differing only in their numbers fall in one group:
// "mc=250 is not a multiple of MR=6" -> "mc=N is not a multiple of MR=N".
std::string fold_numbers(std::string_view text);

}  // namespace cromwell
