#include "harness/io/results.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/io/csv.hpp"
#include "harness/io/jsonl.hpp"

namespace cromwell {

std::string context_path(const std::string& results_path) {
  std::filesystem::path p(results_path);
  if (p.extension() == ".csv" || p.extension() == ".jsonl")
    p.replace_extension(".json");
  else
    p += ".json";
  return p.string();
}

std::vector<std::string> row_cells(const Record& r, const std::vector<Column>& columns) {
  std::vector<std::string> cells;
  cells.reserve(columns.size());
  for (const auto& c : columns) cells.push_back(to_text(c, c.get(r)));
  return cells;
}

Record record_from_cells(const std::vector<Column>& columns, const std::vector<std::string>& cells,
                         const std::string& where) {
  Record r;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    try {
      columns[i].set(r, from_text(columns[i], cells[i]));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("{}: column {}: {}", where, columns[i].name, e.what()));
    }
  }
  return r;
}

std::vector<std::string> shape_names_of(const std::vector<std::string>& keys) {
  std::vector<std::string> names;
  for (const auto& k : keys) {
    Config c;
    try {
      c = parse_key(k);
    } catch (const std::invalid_argument&) {
      continue;  // reported with its line when the row is read
    }
    for (const auto& [n, v] : c.shape.items)
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

ResultsFile read_results(const std::string& path) {
  if (!std::filesystem::exists(path)) throw std::invalid_argument(fmt::format("{}: no such file", path));
  int version = 0;
  nlohmann::ordered_json context;
  const std::string ctx = context_path(path);
  if (std::filesystem::exists(ctx)) {
    std::ifstream in(ctx);
    try {
      context = nlohmann::ordered_json::parse(in);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(fmt::format("{}: not a JSON context ({})", ctx, e.what()));
    }
    if (context.contains("schema_version")) {
      const auto& v = context["schema_version"];
      if (!v.is_number_integer() || v.get<int>() < 0 || v.get<int>() > kSchemaVersion)
        throw std::invalid_argument(fmt::format(
            "{}: schema_version {} is not known: this cromwell reads versions 0 to {} (a newer cromwell wrote it?)",
            ctx, v.dump(), kSchemaVersion));
      version = v.get<int>();
    }
  }
  ResultsFile f =
      std::filesystem::path(path).extension() == ".jsonl" ? read_jsonl(path, version) : read_csv(path, version);
  f.context = std::move(context);
  return f;
}

}  // namespace cromwell
