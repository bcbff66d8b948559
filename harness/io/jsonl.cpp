#include "harness/io/jsonl.hpp"

#include <fstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

namespace cromwell {
namespace {

using Json = nlohmann::ordered_json;

// A cell as JSON: numbers rounded as the CSV writes them, so both files carry the same values.
Json to_json(const Column& c, const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return nullptr;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  const Value rounded = from_text(c, to_text(c, v));
  if (const auto* d = std::get_if<double>(&rounded)) return *d;
  if (const auto* s = std::get_if<std::vector<double>>(&rounded)) return *s;
  return nullptr;  // a number that is not finite: unavailable
}

Value from_json(const Column& c, const Json& j) {
  if (j.is_null()) return {};
  switch (c.type) {
    case ColumnType::text:
      if (j.is_string()) return j.get<std::string>();
      break;
    case ColumnType::integer:
      if (j.is_number_integer()) return j.get<std::int64_t>();
      break;
    case ColumnType::real:
      if (j.is_number()) return j.get<double>();
      break;
    case ColumnType::boolean:
      if (j.is_boolean()) return j.get<bool>();
      break;
    case ColumnType::samples:
      if (j.is_array() && std::all_of(j.begin(), j.end(), [](const Json& x) { return x.is_number(); }))
        return j.get<std::vector<double>>();
      break;
  }
  throw std::invalid_argument(fmt::format("{} is not of type {}", j.dump(), to_string(c.type)));
}

}  // namespace

Json row_json(const Record& r, const std::vector<Column>& columns) {
  Json j = Json::object();
  for (const auto& c : columns) j[c.name] = to_json(c, c.get(r));
  return j;
}

std::string json_line(const Record& r, const std::vector<Column>& columns) {
  return row_json(r, columns).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

Json parse_row(std::string_view line, const std::string& where) {
  Json j;
  try {
    j = Json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(fmt::format("{}: truncated or malformed row: {}", where, e.what()));
  }
  if (!j.is_object()) throw std::invalid_argument(fmt::format("{}: a row must be a JSON object", where));
  return j;
}

// `shape_names`: the dimension names of the rows' keys, which tell dims from params.
Record record_from_json(const Json& j, int version, const std::string& where,
                        const std::vector<std::string>& shape_names, Columns* columns) {
  std::vector<std::string> names;
  for (const auto& [k, v] : j.items()) names.push_back(k);
  Columns found;
  std::vector<Column> cols;
  try {
    cols = columns_from_header(names, shape_names, version, found);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", where, e.what()));
  }
  if (columns) columns->add(found);
  Record r;
  for (const auto& c : cols) {
    try {
      c.set(r, from_json(c, j[c.name]));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}: column {}: {}", where, c.name, e.what()));
    }
  }
  return r;
}

std::string key_of(const Json& j) {
  return j.contains("key") && j["key"].is_string() ? j["key"].get<std::string>() : "";
}

}  // namespace

Record record_from_json_line(std::string_view line, int version, const std::string& where, Columns* columns) {
  const Json j = parse_row(line, where);
  return record_from_json(j, version, where, shape_names_of({key_of(j)}), columns);
}

ResultsFile read_jsonl(const std::string& path, int version) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(fmt::format("{}: cannot be read", path));
  ResultsFile f;
  f.path = path;
  f.schema_version = version;
  // Every row first: a row's null cells do not say whether a name is a dimension or a parameter
  // (a calibration row has neither), the keys of the whole file do, as in the CSV reader.
  std::vector<std::pair<std::string, Json>> rows;
  std::vector<std::string> keys;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    std::string where = fmt::format("{}:{}", path, n);
    Json j = parse_row(line, where);
    keys.push_back(key_of(j));
    rows.emplace_back(std::move(where), std::move(j));
  }
  const std::vector<std::string> shape_names = shape_names_of(keys);
  for (const auto& [where, j] : rows) f.records.push_back(record_from_json(j, version, where, shape_names, &f.columns));
  return f;
}

}  // namespace cromwell
