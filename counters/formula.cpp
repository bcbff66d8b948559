#include "counters/formula.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {

struct Formula::Node {
  char op = 0;  // 0: number, 'v': variable, '+', '-', '*', '/', 'n' (negate)
  double number = 0;
  std::string name;
  std::shared_ptr<const Node> lhs, rhs;
};

namespace {

using NodePtr = std::shared_ptr<const Formula::Node>;

class Parser {
 public:
  Parser(std::string_view s, std::vector<std::string>& names) : s_(s), names_(names) {}
  NodePtr parse() {
    NodePtr n = sum();
    skip();
    if (pos_ != s_.size()) fail("an operator or the end");
    return n;
  }

 private:
  [[noreturn]] void fail(std::string_view expected) const {
    throw std::invalid_argument(fmt::format("formula '{}': at position {}, expected {}", s_, pos_ + 1, expected));
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static NodePtr binary(char op, NodePtr l, NodePtr r) {
    auto n = std::make_shared<Formula::Node>();
    n->op = op;
    n->lhs = std::move(l);
    n->rhs = std::move(r);
    return n;
  }
  NodePtr sum() {
    NodePtr n = product();
    while (true) {
      if (eat('+'))
        n = binary('+', n, product());
      else if (eat('-'))
        n = binary('-', n, product());
      else
        return n;
    }
  }
  NodePtr product() {
    NodePtr n = unary();
    while (true) {
      if (eat('*'))
        n = binary('*', n, unary());
      else if (eat('/'))
        n = binary('/', n, unary());
      else
        return n;
    }
  }
  NodePtr unary() {
    if (eat('-')) return binary('n', unary(), nullptr);
    return atom();
  }
  NodePtr atom() {
    skip();
    if (eat('(')) {
      NodePtr n = sum();
      if (!eat(')')) fail("')'");
      return n;
    }
    auto n = std::make_shared<Formula::Node>();
    const std::size_t start = pos_;
    if (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) {
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.')) ++pos_;
      const std::string text(s_.substr(start, pos_ - start));
      std::size_t used = 0;
      try {
        n->number = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text.size()) {
        pos_ = start;
        fail("a number");
      }
      return n;
    }
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    if (pos_ == start) fail("a number, a name or '('");
    n->op = 'v';
    n->name = std::string(s_.substr(start, pos_ - start));
    if (std::find(names_.begin(), names_.end(), n->name) == names_.end()) names_.push_back(n->name);
    return n;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::vector<std::string>& names_;
};

std::optional<double> evaluate(const Formula::Node& n, const std::map<std::string, double>& v) {
  switch (n.op) {
    case 0:
      return n.number;
    case 'v': {
      const auto it = v.find(n.name);
      if (it == v.end()) return std::nullopt;
      return it->second;
    }
    case 'n': {
      const auto a = evaluate(*n.lhs, v);
      if (!a) return std::nullopt;
      return -*a;
    }
  }
  const auto a = evaluate(*n.lhs, v), b = evaluate(*n.rhs, v);
  if (!a || !b) return std::nullopt;
  switch (n.op) {
    case '+':
      return *a + *b;
    case '-':
      return *a - *b;
    case '*':
      return *a * *b;
    default:
      return *b == 0 ? std::nullopt : std::optional<double>(*a / *b);
  }
}

}  // namespace

Formula Formula::parse(std::string_view text) {
  Formula f;
  f.text_ = std::string(text);
  f.root_ = Parser(text, f.names_).parse();
  return f;
}

std::optional<double> Formula::eval(const std::map<std::string, double>& values) const {
  if (!root_) return std::nullopt;
  auto r = evaluate(*root_, values);
  if (r && !std::isfinite(*r)) return std::nullopt;
  return r;
}

}  // namespace cromwell
