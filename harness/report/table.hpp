#pragma once
// A table of text cells, rendered for a terminal (aligned columns), as a Markdown table or as an
// HTML <table>.
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

enum class TextFormat { term, md, html };
TextFormat parse_text_format(const std::string& text);  // "term", "md", "html"; throws naming the allowed values

// Text made safe for HTML content and attribute values: & < > " ' as character references.
std::string html_escape(std::string_view text);
// Running text for HTML: escaped, and each `code` span (as in Markdown) set as <code>.
std::string html_inline(std::string_view text);

struct Table {
  std::vector<std::string> header;
  std::vector<bool> right;  // per column: right-aligned (numbers); in HTML the cells get class "num"
  std::vector<std::vector<std::string>> rows;
  std::string render(TextFormat f, const std::string& indent = "  ") const;
};

// A heading of the given level (1 or 2): underlined text on a terminal, '#'s in Markdown, <h1>/<h2>
// in HTML (an <h2> with an id made of its text, for links).
std::string heading(TextFormat f, int level, const std::string& text);

// A line below a table: indented on a terminal, a paragraph of its own in Markdown, a note in HTML.
std::string note(TextFormat f, const std::string& text);
// A paragraph: the text and a blank line.
std::string para(TextFormat f, const std::string& text);

}  // namespace cromwell
