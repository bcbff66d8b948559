#include "harness/io/csv.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace cromwell {

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char ch : field) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string s;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) s += ',';
    s += csv_escape(fields[i]);
  }
  return s + "\n";
}

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& path) {
  std::vector<CsvRecord> out;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool quoted = false, was_quoted = false;
    for (;; ++i) {
      if (i == text.size()) {
        if (quoted)
          throw std::invalid_argument(
              fmt::format("{}:{}: truncated row: a quoted field is not closed", path, rec.line));
        rec.fields.push_back(std::move(field));
        break;
      }
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
          field += '"', ++i;
        else if (c == '"')
          quoted = false;
        else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (c == ',') {
        rec.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
      } else if (c == '\n') {
        rec.fields.push_back(std::move(field));
        ++line;
        ++i;
        break;
      } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      } else {
        field += c;
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

ResultsFile read_csv(const std::string& path, int version) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(fmt::format("{}: cannot be read", path));
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_results_csv(buf.str(), path, version);
}

ResultsFile parse_results_csv(std::string_view text, const std::string& path, int version) {
  const auto records = parse_csv(text, path);
  if (records.empty()) throw std::invalid_argument(fmt::format("{}: empty file: no header", path));
  ResultsFile f;
  f.path = path;
  f.schema_version = version;
  const auto& header = records[0].fields;
  std::vector<std::string> keys;
  const auto key_at = std::find(header.begin(), header.end(), "key") - header.begin();
  for (std::size_t r = 1; r < records.size(); ++r)
    if (std::size_t(key_at) < records[r].fields.size()) keys.push_back(records[r].fields[std::size_t(key_at)]);
  std::vector<Column> cols;
  try {
    cols = columns_from_header(header, shape_names_of(keys), version, f.columns);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}:1: {}", path, e.what()));
  }
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& rec = records[r];
    const std::string where = fmt::format("{}:{}", path, rec.line);
    if (rec.fields.size() < header.size())
      throw std::invalid_argument(
          fmt::format("{}: truncated row: {} of {} fields", where, rec.fields.size(), header.size()));
    if (rec.fields.size() > header.size())
      throw std::invalid_argument(
          fmt::format("{}: {} fields, but the header has {}", where, rec.fields.size(), header.size()));
    f.records.push_back(record_from_cells(cols, rec.fields, where));
  }
  return f;
}

}  // namespace cromwell
