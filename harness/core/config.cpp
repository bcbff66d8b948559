#include "harness/core/config.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

bool needs_escape(unsigned char c) {
  return c == '%' || c == '/' || c == ',' || c == ':' || c == ' ' || c < 0x20 || c == 0x7f;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::vector<std::pair<std::string, std::string>> parse_pairs(std::string_view section, std::string_view what,
                                                             std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  if (section.empty()) return out;
  for (const auto& pair : split(section, ',')) {
    const std::size_t colon = pair.find(':');
    if (colon == std::string_view::npos || colon == 0)
      throw std::invalid_argument(
          fmt::format("malformed key '{}': in the {} section, '{}' is not name:value", key, what, pair));
    out.emplace_back(unescape_key_part(pair.substr(0, colon)), unescape_key_part(pair.substr(colon + 1)));
  }
  return out;
}

std::int64_t parse_int(std::string_view text, std::string_view what, std::string_view key) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw std::invalid_argument(fmt::format("malformed key '{}': {} '{}' is not an integer", key, what, text));
  return v;
}

}  // namespace

std::string escape_key_part(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (needs_escape(c))
      out += fmt::format("%{:02X}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

std::string unescape_key_part(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
      throw std::invalid_argument(fmt::format("malformed escape in '{}': '%' must be followed by two hex digits", s));
    out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    i += 2;
  }
  return out;
}

std::string Config::key() const {
  std::string k = escape_key_part(kernel) + "." + escape_key_part(variant) + "/";
  bool first = true;
  for (const auto& [n, v] : shape.items) {
    k += fmt::format("{}{}:{}", first ? "" : ",", escape_key_part(n), v);
    first = false;
  }
  k += "/";
  first = true;
  for (const auto& [n, v] : params.items) {
    k += fmt::format("{}{}:{}", first ? "" : ",", escape_key_part(n), escape_key_part(v));
    first = false;
  }
  k += fmt::format("/threads:{},pin:{},cache:{},align:{}", axes.threads, escape_key_part(axes.pin),
                   escape_key_part(axes.cache), axes.align);
  return k;
}

Config parse_key(std::string_view key) {
  const auto sections = split(key, '/');
  if (sections.size() != 4)
    throw std::invalid_argument(fmt::format(
        "malformed key '{}': expected kernel.variant/shape/params/axes (4 sections separated by '/'), got {}", key,
        sections.size()));
  Config c;
  const std::size_t dot = sections[0].find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == sections[0].size())
    throw std::invalid_argument(fmt::format("malformed key '{}': '{}' is not kernel.variant", key, sections[0]));
  c.kernel = unescape_key_part(sections[0].substr(0, dot));
  c.variant = unescape_key_part(sections[0].substr(dot + 1));
  for (auto& [n, v] : parse_pairs(sections[1], "shape", key))
    c.shape.items.emplace_back(n, parse_int(v, "size of " + n, key));
  c.params.items = parse_pairs(sections[2], "params", key);
  const auto axes = parse_pairs(sections[3], "axes", key);
  const char* order[] = {"threads", "pin", "cache", "align"};
  if (axes.size() != 4)
    throw std::invalid_argument(
        fmt::format("malformed key '{}': the axes section must be threads:N,pin:P,cache:C,align:B", key));
  for (int i = 0; i < 4; ++i)
    if (axes[i].first != order[i])
      throw std::invalid_argument(
          fmt::format("malformed key '{}': axis {} is '{}', expected '{}' (order: threads, pin, cache, align)", key,
                      i + 1, axes[i].first, order[i]));
  c.axes.threads = static_cast<int>(parse_int(axes[0].second, "threads", key));
  c.axes.pin = axes[1].second;
  c.axes.cache = axes[2].second;
  c.axes.align = parse_int(axes[3].second, "align", key);
  return c;
}

}  // namespace cromwell
