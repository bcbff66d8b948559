#pragma once
// A table of text cells, rendered for a terminal (aligned columns) or as a Markdown table.
#include <string>
#include <vector>

namespace cromwell {

enum class TextFormat { term, md };
TextFormat parse_text_format(const std::string& text);  // "term", "md"; throws naming the allowed values

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;  // per column: right-aligned (numbers)
  std::vector<std::vector<std::string>> rows;
  std::string render(TextFormat f, const std::string& indent = "  ") const;
};

// A heading of the given level (1 or 2): underlined text on a terminal, '#'s in Markdown.
std::string heading(TextFormat f, int level, const std::string& text);

}  // namespace cromwell
