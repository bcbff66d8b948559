#include "harness/report/table.hpp"

#include <algorithm>
#include <cctype>
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

std::string html_row(const std::vector<std::string>& cells, std::size_t columns, const std::vector<bool>& right,
                     const char* tag) {
  std::string line = "<tr>";
  for (std::size_t i = 0; i < columns; ++i) {
    const bool num = i < right.size() && right[i];
    line += fmt::format("<{}{}>{}</{}>", tag, num ? " class=\"num\"" : "",
                        html_escape(i < cells.size() ? cells[i] : ""), tag);
  }
  return line + "</tr>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_inline(std::string_view text) {
  std::string out;
  for (std::size_t at = 0;;) {
    const auto open = text.find('`', at);
    const auto close = open == std::string_view::npos ? open : text.find('`', open + 1);
    if (close == std::string_view::npos) return out + html_escape(text.substr(at));
    out += html_escape(text.substr(at, open - at)) + "<code>" + html_escape(text.substr(open + 1, close - open - 1)) +
           "</code>";
    at = close + 1;
  }
}

TextFormat parse_text_format(const std::string& text) {
  if (text == "term") return TextFormat::term;
  if (text == "md") return TextFormat::md;
  if (text == "html") return TextFormat::html;
  throw std::invalid_argument(fmt::format("--format {}: unknown (allowed: term, md, html)", text));
}

std::string Table::render(TextFormat f, const std::string& indent) const {
  const auto aligned = [&](std::size_t i) { return i < right.size() && right[i]; };
  std::string out;
  if (f == TextFormat::html) {
    out += "<table>\n<thead>\n" + html_row(header, header.size(), right, "th") + "</thead>\n<tbody>\n";
    for (const auto& r : rows) out += html_row(r, header.size(), right, "td");
    return out + "</tbody>\n</table>\n";
  }
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
  if (f == TextFormat::html && level == 1) return "<h1>" + html_escape(text) + "</h1>\n";
  if (f == TextFormat::html) {
    // An anchor for links to the section: "gemm: the best …" → "gemm-the-best-…".
    std::string id;
    for (char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c)))
        id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      else if (!id.empty() && id.back() != '-')
        id += '-';
    }
    while (!id.empty() && id.back() == '-') id.pop_back();
    return (id.empty() ? "<h2>" : "<h2 id=\"" + id + "\">") + html_escape(text) + "</h2>\n";
  }
  if (f == TextFormat::md) return fmt::format("{} {}\n\n", level == 1 ? "#" : "##", text);
  return fmt::format("{}\n{}\n", text, std::string(width(text), level == 1 ? '=' : '-'));
}

std::string note(TextFormat f, const std::string& text) {
  if (f == TextFormat::html) return "<p class=\"note\">" + html_inline(text) + "</p>\n";
  return (f == TextFormat::md ? "\n" : "  ") + text + "\n";
}

std::string para(TextFormat f, const std::string& text) {
  return f == TextFormat::html ? "<p>" + html_inline(text) + "</p>\n" : text + "\n\n";
}

}  // namespace cromwell
