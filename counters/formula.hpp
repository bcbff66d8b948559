#pragma once
// Metric formulas: arithmetic over named event counts ("l3_misses / l3_accesses",
// "1000 * l3_misses / instructions"): numbers, names, + - * /, unary minus and parentheses.
// A formula whose inputs are missing, or that divides by zero, has no value (never 0).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

class Formula {
 public:
  struct Node;
  // Throws std::invalid_argument naming the position and what was expected.
  static Formula parse(std::string_view text);
  std::optional<double> eval(const std::map<std::string, double>& values) const;
  const std::vector<std::string>& names() const { return names_; }  // identifiers it uses
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const Node> root_;
  std::vector<std::string> names_;
  std::string text_;
};

}  // namespace cromwell
