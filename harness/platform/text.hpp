#pragma once
// Small text helpers shared by every layer: split on a separator, join with one, fold numbers, hash.
#include <cstdint>
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

// FNV-1a over strings, each followed by a separator so that "ab","c" differs from "a","bc".
struct Fnv {
  std::uint64_t h = 14695981039346656037ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
};

}  // namespace cromwell
