#include "harness/report/table.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {
namespace {

// Display width of UTF-8 text: one column per code point (the report's '×', '—', 'µ').
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t w, bool right) {
  const std::string fill(w > width(s) ? w - width(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

// A Markdown cell: '|' escaped, so a reason or a cpu list never breaks the table.
std::string md_cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

TextFormat parse_text_format(const std::string& text) {
  if (text == "term") return TextFormat::term;
  if (text == "md") return TextFormat::md;
  throw std::invalid_argument(fmt::format("--format {}: unknown (allowed: term, md)", text));
}

std::string Table::render(TextFormat f, const std::string& indent) const {
  const auto aligned = [&](std::size_t i) { return i < right.size() && right[i]; };
  std::string out;
  if (f == TextFormat::md) {
    std::string line = "|", rule = "|";
    for (std::size_t i = 0; i < header.size(); ++i) {
      line += " " + md_cell(header[i]) + " |";
      rule += aligned(i) ? " ---: |" : " --- |";
    }
    out += line + "\n" + rule + "\n";
    for (const auto& r : rows) {
      line = "|";
      for (std::size_t i = 0; i < header.size(); ++i) line += " " + md_cell(i < r.size() ? r[i] : "") + " |";
      out += line + "\n";
    }
    return out;
  }
  std::vector<std::size_t> w(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    w[i] = width(header[i]);
    for (const auto& r : rows)
      if (i < r.size()) w[i] = std::max(w[i], width(r[i]));
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string s = indent;
    for (std::size_t i = 0; i < header.size(); ++i) {
      const bool last = i + 1 == header.size();
      const std::string cell = pad(i < cells.size() ? cells[i] : "", last && !aligned(i) ? 0 : w[i], aligned(i));
      s += cell + (last ? "" : "  ");
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  out += line(header);
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string heading(TextFormat f, int level, const std::string& text) {
  if (f == TextFormat::md) return fmt::format("{} {}\n\n", level == 1 ? "#" : "##", text);
  return fmt::format("{}\n{}\n", text, std::string(width(text), level == 1 ? '=' : '-'));
}

}  // namespace cromwell
